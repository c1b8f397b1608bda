using Kiln.Hosting.Background;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Kiln.Hosting.Tests.Background;

/// <summary>Background work runs on the injected clock, survives a failing round and stops cleanly.</summary>
public sealed class PeriodicServiceTests
{
    [Fact]
    public async Task Rounds_follow_the_clock_a_failure_does_not_stop_them_and_stop_ends_them()
    {
        var clock = new FakeTimeProvider();
        var service = new Counting(clock);
        await service.StartAsync(CancellationToken.None);
        Assert.Equal(0, service.Rounds);
        // ExecuteAsync starts on a background thread: advance a minute at a time until three rounds have run.
        for (var step = 0; step < 500 && service.Rounds < 3; step++)
        {
            var before = service.Rounds;
            clock.Advance(TimeSpan.FromMinutes(1));
            await service.WaitForRoundsAsync(before + 1, TimeSpan.FromMilliseconds(20));
        }
        Assert.Equal(3, service.Rounds);
        await service.StopAsync(CancellationToken.None);
        clock.Advance(TimeSpan.FromMinutes(5));
        await Task.Delay(50);
        Assert.Equal(3, service.Rounds);
    }

    private sealed class Counting(TimeProvider time) : PeriodicService(time, NullLogger.Instance)
    {
        private int _rounds;

        public int Rounds => Volatile.Read(ref _rounds);

        protected override TimeSpan Interval => TimeSpan.FromMinutes(1);

        protected override Task RunOnceAsync(CancellationToken ct)
        {
            // The second round fails; the third must still run.
            return Interlocked.Increment(ref _rounds) == 2 ? throw new InvalidOperationException("round 2 fails") : Task.CompletedTask;
        }

        public async Task WaitForRoundsAsync(int count, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (Rounds < count && DateTime.UtcNow < deadline)
            {
                await Task.Delay(5);
            }
        }
    }
}
