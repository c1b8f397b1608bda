using Kiln.Core.Ids;
using Kiln.Core.Stores;
using Kiln.Core.Tracking;
using Kiln.Engine.Packaging;
using Kiln.Engine.Tracking;
using Kiln.Engine.Training;
using Kiln.Storage;
using Kiln.Storage.Sql;
using Kiln.Storage.Sqlite;
using Kiln.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Kiln.Hosting.Tests;

/// <summary>The composition root: every feature's services resolve over a real SQLite file, with the clock and ids the host was given.</summary>
public sealed class KilnHostTests : IDisposable
{
    private readonly TempKilnHome _home = new();

    public void Dispose() => _home.Dispose();

    [Fact]
    public async Task Every_registered_service_resolves_over_one_metadata_store()
    {
        await using var host = await _home.OpenAsync();
        var metadata = host.Get<IMetadataStore>();
        Assert.Equal("sqlite", metadata.Kind);
        Assert.Same(metadata.Tracking, host.Get<ITrackingStore>());
        Assert.Same(host.Get<TrackingService>(), host.Get<TrackingService>());
        Assert.NotNull(host.Get<TrainingSession>());
        Assert.NotNull(host.Get<HyperparameterSearch>());
        Assert.NotNull(host.Get<ModelLocator>());
        Assert.Equal("Default", (await host.Get<TrackingService>().GetExperimentAsync("0")).Name);
    }

    [Fact]
    public async Task Timestamps_and_ids_come_from_the_injected_clock_and_generator()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero));
        await using var host = await _home.OpenAsync(services => services.AddSingleton<TimeProvider>(clock).AddSingleton<IdGenerator>(new CountingIds()));
        var tracking = host.Get<TrackingService>();
        var experimentId = await tracking.CreateExperimentAsync("clocked", null, []);
        var run = await tracking.CreateRunAsync(experimentId, "u", null, null, []);
        Assert.Equal(clock.GetUtcNow().ToUnixTimeMilliseconds(), run.Info.StartTime);
        Assert.Equal("00000000000000000000000000000001", run.Info.RunId);
        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(clock.GetUtcNow().ToUnixTimeMilliseconds(), (await tracking.GetExperimentAsync(experimentId)).CreationTime + 300_000);
        await tracking.LogMetricAsync(run.Info.RunId, new Metric("m", 1, tracking.NowMs(), 0));
        Assert.Equal(clock.GetUtcNow().ToUnixTimeMilliseconds(), (await tracking.GetRunAsync(run.Info.RunId)).Data.Metrics.Single().Timestamp);
    }

    [Fact]
    public async Task A_store_that_cannot_open_leaves_nothing_open()
    {
        var e = await Assert.ThrowsAsync<Kiln.Core.Errors.KilnException>(() => _home.OpenAsync(storeUri: "sqlite:///" + _home.Dir + "/x.db?journal=off"));
        Assert.Contains("journal=off", e.Message);
        await using var host = await _home.OpenAsync();
        Assert.NotNull(host.Get<TrackingService>());
    }

    [Fact]
    public async Task A_metadata_store_of_another_kind_plugs_in_by_registering_its_scheme()
    {
        // The factory decides what the scheme opens; here a SQL store on a file named by the URI's path.
        StoreFactories.Metadata.Register("kilntest", (uri, context) =>
            new SqlMetadataStore(new SqliteDialect(new Uri(uri.Value).AbsolutePath), context));
        await using var host = await _home.OpenAsync(storeUri: "kilntest://" + _home.Dir + "/plugged.db");
        Assert.Equal("sqlite", host.Get<IMetadataStore>().Kind);
        Assert.EndsWith("plugged.db", host.Get<IMetadataStore>().DisplayLocation);
        Assert.NotEmpty(await host.Get<TrackingService>().CreateExperimentAsync("plugged", null, []));
    }

    private sealed class CountingIds : IdGenerator
    {
        private int _next;

        public override string NewId() => (++_next).ToString("D32", System.Globalization.CultureInfo.InvariantCulture);
    }
}
