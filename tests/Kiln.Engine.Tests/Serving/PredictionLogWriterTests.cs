using System.Text;
using Kiln.Core.Serving;
using Kiln.Engine.Serving;
using Kiln.Testing;

namespace Kiln.Engine.Tests.Serving;

/// <summary>The serving log's writer against a real SQLite store: every queued row is written once, a full queue drops
/// and counts, and what is queued when the server stops is still written.</summary>
public sealed class PredictionLogWriterTests : KilnHostTest
{
    private static void Queue(PredictionLogWriter writer, string id, int rows) => writer.TryLog(batch =>
    {
        var source = new PredictionSource("loan", "champion", "loan", 1, false);
        for (var r = 0; r < rows; r++)
        {
            batch.Add(new PredictionRow(source, 1_000 + r, 0.5, batch.Write(r == 0 ? id : $"{id}:{r}"), batch.Write(Encoding.UTF8.GetBytes($"{{\"a\":{r}}}")),
                batch.Write("{\"prediction\":\"1\",\"probability\":0.75}"u8)));
        }
    });

    [Fact]
    public async Task Rows_queued_from_many_threads_are_all_written_once_and_the_rest_on_stopping()
    {
        var log = Host.Get<IPredictionLog>();
        var writer = new PredictionLogWriter(log) { Budget = new LogBudget { Budget = 1 } }; // every row, however busy the machine running the tests
        using var stop = new CancellationTokenSource();
        var running = writer.RunAsync(stop.Token);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 500; i++)
            {
                Queue(writer, $"t{t}-{i}", 1 + (i % 3));
            }
        })));
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (writer.QueuedRows > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        Queue(writer, "last", 2); // queued as the server stops: written by the drain
        await stop.CancelAsync();
        await running;

        var stored = await log.ReadAsync("loan", 0, 100_000);
        var expected = (8 * ((167 * 1) + (167 * 2) + (166 * 3))) + 2;
        Assert.Equal(expected, stored.Count);
        Assert.Equal(expected, stored.Select(r => r.RequestId).Distinct().Count());
        Assert.Contains(stored, r => r.RequestId == "t3-2:2" && r.Inputs == "{\"a\":2}" && r.ModelVersion == 1 && r.LatencyMs == 0.5);
        Assert.Contains(stored, r => r.RequestId == "last:1");
        Assert.Equal(0, writer.Dropped);
    }

    [Theory]
    [InlineData(19)]
    [InlineData(0)]
    public async Task The_writer_thread_runs_at_the_nice_value_it_is_given(int nice)
    {
        Assert.True(OperatingSystem.IsLinux(), "Kiln's tests run on Linux");
        var writer = new PredictionLogWriter(Host.Get<IPredictionLog>()) { Nice = nice };
        using var stop = new CancellationTokenSource();
        var running = writer.RunAsync(stop.Token);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (writer.ThreadId == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }
        // /proc/self/task/TID/stat: the 19th field is the nice value (fields counted after the command's closing parenthesis)
        var stat = await File.ReadAllTextAsync($"/proc/self/task/{writer.ThreadId}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        Assert.Equal(nice.ToString(System.Globalization.CultureInfo.InvariantCulture), fields[16]);
        Queue(writer, "niced", 3); // and it still writes
        while (writer.QueuedRows > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }
        await stop.CancelAsync();
        await running;
        Assert.Equal(3, (await Host.Get<IPredictionLog>().ReadAsync("loan", 0, 10)).Count);
    }

    [Fact]
    public void A_row_the_log_cannot_encode_is_dropped_and_counted_without_failing_its_request()
    {
        var writer = new PredictionLogWriter(Host.Get<IPredictionLog>());
        writer.TryLog(_ => throw new ArgumentException("'Infinity' is not a JSON number"));
        Assert.Equal((1, 0), (writer.Dropped, writer.QueuedRows));
        Queue(writer, "next", 1); // the thread's batch is clean for the next request
        Assert.Equal(1, writer.QueuedRows);
    }

    [Fact]
    public void A_full_queue_drops_whole_requests_and_counts_their_rows()
    {
        var writer = new PredictionLogWriter(Host.Get<IPredictionLog>()); // not running: nothing is written
        Queue(writer, "big", PredictionLogWriter.MaxQueuedRows - 10);
        Queue(writer, "too-many", 11);
        Queue(writer, "fits", 10);
        Assert.Equal(11, writer.Dropped);
        Assert.Equal(PredictionLogWriter.MaxQueuedRows, writer.QueuedRows);
    }

    [Fact]
    public void A_request_that_cannot_fit_is_dropped_before_its_rows_are_encoded()
    {
        var writer = new PredictionLogWriter(Host.Get<IPredictionLog>()); // not running: nothing is written
        Queue(writer, "big", PredictionLogWriter.MaxQueuedRows - 5);
        var encoded = false;
        writer.TryLog(6, _ => encoded = true);
        Assert.False(encoded, "a request that cannot fit is not encoded");
        Assert.Equal(6, writer.Dropped);
        writer.TryLog(5, batch =>
        {
            encoded = true;
            var source = new PredictionSource("loan", "champion", "loan", 1, false);
            for (var r = 0; r < 5; r++)
            {
                batch.Add(new PredictionRow(source, 1, 0.5, batch.Write($"fits:{r}"), batch.Write("{}"u8), batch.Write("{}"u8)));
            }
        });
        Assert.True(encoded, "a request that fits is encoded");
        Assert.Equal((6, PredictionLogWriter.MaxQueuedRows), (writer.Dropped, writer.QueuedRows));
    }

    [Fact]
    public void The_writer_sheds_whole_requests_by_the_budget_and_counts_their_rows()
    {
        var budget = new LogBudget(() => null, () => TimeSpan.Zero) { Budget = 0.1 };
        budget.Adjust(idle: 0, share: 0.5); // a fifth of requests kept
        var writer = new PredictionLogWriter(Host.Get<IPredictionLog>()) { Budget = budget }; // not running: nothing is written
        var source = new PredictionSource("loan", "champion", null, null, false);
        for (var i = 0; i < 2_000; i++)
        {
            if (!writer.Draw())
            {
                writer.CountShed(3);
                continue;
            }
            writer.TryLog(3, batch =>
            {
                for (var r = 0; r < 3; r++)
                {
                    batch.Add(new PredictionRow(source, 1, 0.5, batch.Write($"r{i}:{r}"), batch.Write("{}"u8), batch.Write("0.5"u8)));
                }
            });
        }
        Assert.Equal(6_000, writer.Shed + writer.QueuedRows);
        Assert.Equal(0, writer.QueuedRows % 3); // whole requests
        Assert.InRange(writer.QueuedRows, 900, 1_500); // a fifth, give or take chance
        Assert.Equal(0, writer.Dropped);
    }
}
