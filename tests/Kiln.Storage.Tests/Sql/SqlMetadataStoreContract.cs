using Kiln.Core.Stores;
using Kiln.Storage.Sql;
using Kiln.Storage.Tests.Sql.Tracking;

namespace Kiln.Storage.Tests.Sql;

/// <summary>The tracking contract plus what every SQL metadata store must do: migrations recorded once, a newer schema refused.</summary>
public abstract partial class SqlMetadataStoreContract : TrackingStoreContract
{
    /// <summary>The dialect for a fresh, empty database.</summary>
    protected abstract Task<SqlDialect> CreateDialectAsync();

    /// <summary>A second dialect on the same database (another "process").</summary>
    protected abstract SqlDialect SecondDialect();

    protected SqlMetadataStore Sql => (SqlMetadataStore)Metadata;

    protected override async Task<IMetadataStore> OpenStoreAsync() => await SqlMetadataStore.OpenAsync(await CreateDialectAsync());

    protected override async Task<IMetadataStore> OpenSecondAsync() => await SqlMetadataStore.OpenAsync(SecondDialect());

    [Fact]
    public async Task Migrations_are_recorded_and_not_applied_twice()
    {
        var all = SchemaMigrations.All.Select(m => m.Version).ToList();
        Assert.Equal(all, await Sql.AppliedMigrationsAsync());
        await using var again = (SqlMetadataStore)await OpenSecondAsync();
        Assert.Equal(all, await again.AppliedMigrationsAsync());
    }

    [Fact]
    public async Task A_database_from_a_newer_kiln_is_refused_with_a_message()
    {
        await using (var connection = await Sql.Dialect.OpenAsync(default))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', 0)";
            await command.ExecuteNonQueryAsync();
        }
        var e = await Assert.ThrowsAsync<Kiln.Core.Errors.KilnException>(OpenSecondAsync);
        Assert.Equal(Kiln.Core.Errors.ErrorCode.InvalidState, e.Code);
        Assert.Contains("schema version 99", e.Message);
        Assert.Contains("Upgrade Kiln", e.Message);
    }

    [Fact]
    public async Task Metric_chunks_written_before_step_ranges_existed_are_still_read_in_order()
    {
        var run = await Store.CreateRunAsync(new Kiln.Core.Tracking.NewRun("0", "r", "u", 1, []));
        await Store.LogBatchAsync(run.Info.RunId, [.. Enumerable.Range(0, 30).Select(i => new Kiln.Core.Tracking.Metric("m", i, 1, i))], [], []);
        await Store.LogBatchAsync(run.Info.RunId, [.. Enumerable.Range(10, 30).Select(i => new Kiln.Core.Tracking.Metric("m", i, 2, i))], [], []);
        await using (var connection = await Sql.Dialect.OpenAsync(default))
        {
            // What a chunk written by migration 1 looks like: no step range.
            await using var command = connection.CreateCommand();
            command.CommandText = "UPDATE metric_points SET min_step = NULL, max_step = NULL WHERE point_count = 30 AND chunk_id = (SELECT MIN(chunk_id) FROM metric_points)";
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }
        var steps = new List<long>();
        Kiln.Core.Tracking.MetricCursor? cursor = null;
        do
        {
            var page = await Store.GetMetricHistoryAsync(run.Info.RunId, "m", 8, cursor);
            steps.AddRange(page.Items.Select(m => m.Step));
            cursor = page.NextPageToken is null ? null : Kiln.Core.Tracking.MetricCursor.Parse(page.NextPageToken);
        }
        while (cursor is not null);
        Assert.Equal([.. Enumerable.Range(0, 10).Select(i => (long)i), .. Enumerable.Range(10, 20).SelectMany(i => new[] { (long)i, i }), .. Enumerable.Range(30, 10).Select(i => (long)i)], steps);
    }
}
