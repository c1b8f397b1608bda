using Kiln.Core.Errors;
using Kiln.Core.Search;
using Kiln.Core.Tracking;
using Kiln.Core.Stores;

namespace Kiln.Storage.Tests.Sql.Tracking;

/// <summary>
/// The one contract every tracking store passes, written against <see cref="IMetadataStore"/> and
/// <see cref="ITrackingStore"/> only; <see cref="Sqlite.SqliteDialectTests"/> and
/// <see cref="Postgres.PostgresDialectTests"/> run it against a real SQLite file and a real PostgreSQL server.
/// </summary>
public abstract partial class TrackingStoreContract : IAsyncLifetime
{
    protected IMetadataStore Metadata { get; private set; } = null!;

    protected ITrackingStore Store => Metadata.Tracking;

    /// <summary>Opens and initialises a store on a fresh, empty database.</summary>
    protected abstract Task<IMetadataStore> OpenStoreAsync();

    /// <summary>Opens and initialises a second store on the same database (another "process").</summary>
    protected abstract Task<IMetadataStore> OpenSecondAsync();

    public virtual async Task InitializeAsync() => Metadata = await OpenStoreAsync();

    public virtual async Task DisposeAsync() => await Metadata.DisposeAsync();

    protected static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private async Task<Run> NewRunAsync(string experimentId = "0", string? name = null, long? start = null) =>
        await Store.CreateRunAsync(new NewRun(experimentId, name, "tester", start ?? Now(), []));

    private Task<Page<Run>> SearchAsync(string experimentId, string? filter, params string[] orderBy) =>
        Store.SearchRunsAsync(new RunQuery([experimentId], FilterParser.ParseFilter(filter, SearchSchema.Runs),
            FilterParser.ParseOrderBy(orderBy, SearchSchema.Runs), ViewType.ActiveOnly, 1000, 0));

    [Fact]
    public async Task Opening_a_store_twice_keeps_one_default_experiment()
    {
        await using var again = await OpenSecondAsync();
        var page = await again.Tracking.SearchExperimentsAsync(new ExperimentQuery([], [], ViewType.All, 100, 0));
        Assert.Single(page.Items, e => e.Name == "Default");
    }

    [Fact]
    public async Task Default_experiment_exists_with_artifact_location()
    {
        var experiment = await Store.GetExperimentAsync("0");
        Assert.Equal("Default", experiment.Name);
        Assert.Equal("mlflow-artifacts:/0", experiment.ArtifactLocation);
        Assert.Equal(LifecycleStage.Active, experiment.LifecycleStage);
    }

    [Fact]
    public async Task Experiments_are_created_found_and_tagged()
    {
        var id = await Store.CreateExperimentAsync("loans", null, [new Tag("team", "risk")]);
        var experiment = await Store.GetExperimentAsync(id);
        Assert.Equal("loans", experiment.Name);
        Assert.Equal($"mlflow-artifacts:/{id}", experiment.ArtifactLocation);
        Assert.Equal([new Tag("team", "risk")], experiment.Tags);
        Assert.Equal(id, (await Store.FindExperimentByNameAsync("loans"))!.ExperimentId);
        Assert.Null(await Store.FindExperimentByNameAsync("nope"));

        await Store.SetExperimentTagAsync(id, new Tag("team", "credit"));
        Assert.Equal("credit", (await Store.GetExperimentAsync(id)).Tags.Single().Value);

        var custom = await Store.CreateExperimentAsync("custom", "s3://bucket/x", []);
        Assert.Equal("s3://bucket/x", (await Store.GetExperimentAsync(custom)).ArtifactLocation);
    }

    [Fact]
    public async Task Duplicate_experiment_names_are_rejected()
    {
        var id = await Store.CreateExperimentAsync("dup", null, []);
        var e = await Assert.ThrowsAsync<KilnException>(() => Store.CreateExperimentAsync("dup", null, []));
        Assert.Equal(ErrorCode.ResourceAlreadyExists, e.Code);
        var other = await Store.CreateExperimentAsync("other", null, []);
        var rename = await Assert.ThrowsAsync<KilnException>(() => Store.RenameExperimentAsync(other, "dup"));
        Assert.Equal(ErrorCode.ResourceAlreadyExists, rename.Code);
        await Store.RenameExperimentAsync(id, "renamed");
        Assert.Equal("renamed", (await Store.GetExperimentAsync(id)).Name);
    }

    [Fact]
    public async Task Unknown_experiments_and_runs_are_not_found()
    {
        Assert.Equal(ErrorCode.ResourceDoesNotExist, (await Assert.ThrowsAsync<KilnException>(() => Store.GetExperimentAsync("999"))).Code);
        Assert.Equal(ErrorCode.ResourceDoesNotExist, (await Assert.ThrowsAsync<KilnException>(() => Store.GetExperimentAsync("abc"))).Code);
        Assert.Equal(ErrorCode.ResourceDoesNotExist, (await Assert.ThrowsAsync<KilnException>(() => Store.GetRunAsync("ffff"))).Code);
        Assert.Equal(ErrorCode.ResourceDoesNotExist, (await Assert.ThrowsAsync<KilnException>(() => Store.LogBatchAsync("ffff", [], [new Param("a", "1")], []))).Code);
        Assert.Equal(ErrorCode.ResourceDoesNotExist, (await Assert.ThrowsAsync<KilnException>(() => NewRunAsync("424242"))).Code);
    }

    [Fact]
    public async Task Deleting_an_experiment_deletes_its_runs_and_restoring_brings_them_back()
    {
        var id = await Store.CreateExperimentAsync("doomed", null, []);
        var run = await NewRunAsync(id);
        await Store.SetExperimentLifecycleAsync(id, LifecycleStage.Deleted);
        Assert.Equal(LifecycleStage.Deleted, (await Store.GetExperimentAsync(id)).LifecycleStage);
        Assert.Equal(LifecycleStage.Deleted, (await Store.GetRunAsync(run.Info.RunId)).Info.LifecycleStage);
        var create = await Assert.ThrowsAsync<KilnException>(() => NewRunAsync(id));
        Assert.Equal(ErrorCode.InvalidParameterValue, create.Code);
        await Store.SetExperimentLifecycleAsync(id, LifecycleStage.Active);
        Assert.Equal(LifecycleStage.Active, (await Store.GetRunAsync(run.Info.RunId)).Info.LifecycleStage);
        await Assert.ThrowsAsync<KilnException>(() => Store.SetExperimentLifecycleAsync("0", LifecycleStage.Deleted));
    }

    [Fact]
    public async Task Experiment_search_filters_orders_and_pages()
    {
        foreach (var name in new[] { "alpha", "beta", "Alphabet", "gamma" })
        {
            await Store.CreateExperimentAsync(name, null, name.StartsWith('a') ? [new Tag("kind", "first")] : []);
        }
        var deleted = await Store.CreateExperimentAsync("zeta", null, []);
        await Store.SetExperimentLifecycleAsync(deleted, LifecycleStage.Deleted);

        async Task<List<string>> Names(string? filter, ViewType view = ViewType.ActiveOnly, params string[] order)
        {
            var page = await Store.SearchExperimentsAsync(new ExperimentQuery(FilterParser.ParseFilter(filter, SearchSchema.Experiments),
                FilterParser.ParseOrderBy(order, SearchSchema.Experiments), view, 100, 0));
            return [.. page.Items.Select(e => e.Name)];
        }

        Assert.Equal(["alpha"], await Names("name LIKE 'alp%'"));
        Assert.Equal(["Alphabet", "alpha"], await Names("name ILIKE 'alp%'", ViewType.ActiveOnly, "name ASC"));
        Assert.Equal(["alpha"], await Names("tags.kind = 'first'"));
        Assert.Equal(["zeta"], await Names(null, ViewType.DeletedOnly));
        Assert.Equal(["Alphabet", "Default", "alpha", "beta", "gamma", "zeta"], await Names(null, ViewType.All, "name"));

        var first = await Store.SearchExperimentsAsync(new ExperimentQuery([], FilterParser.ParseOrderBy(["name"], SearchSchema.Experiments), ViewType.ActiveOnly, 2, 0));
        Assert.Equal(["Alphabet", "Default"], first.Items.Select(e => e.Name));
        Assert.NotNull(first.NextPageToken);
        var second = await Store.SearchExperimentsAsync(new ExperimentQuery([], FilterParser.ParseOrderBy(["name"], SearchSchema.Experiments), ViewType.ActiveOnly, 10,
            PageToken.Offset(first.NextPageToken)));
        Assert.Equal(["alpha", "beta", "gamma"], second.Items.Select(e => e.Name));
        Assert.Null(second.NextPageToken);
    }

    [Fact]
    public async Task Runs_get_names_artifact_uris_and_status_updates()
    {
        var named = await Store.CreateRunAsync(new NewRun("0", null, "u", Now(), [new Tag("mlflow.runName", "from-tag")]));
        Assert.Equal("from-tag", named.Info.RunName);
        var generated = await NewRunAsync();
        Assert.Matches("^[a-z]+-[a-z]+-[0-9]+$", generated.Info.RunName);
        Assert.Contains(generated.Data.Tags, t => t.Key == "mlflow.runName" && t.Value == generated.Info.RunName);
        Assert.Equal($"mlflow-artifacts:/0/{generated.Info.RunId}/artifacts", generated.Info.ArtifactUri);
        Assert.Equal(RunStatus.Running, generated.Info.Status);

        var end = Now();
        var info = await Store.UpdateRunAsync(generated.Info.RunId, RunStatus.Finished, end, "renamed");
        Assert.Equal(RunStatus.Finished, info.Status);
        Assert.Equal(end, info.EndTime);
        Assert.Equal("renamed", info.RunName);
        Assert.Contains((await Store.GetRunAsync(info.RunId)).Data.Tags, t => t.Key == "mlflow.runName" && t.Value == "renamed");
    }

    [Fact]
    public async Task Metrics_round_trip_nan_and_infinity_and_latest_is_highest_step()
    {
        var run = await NewRunAsync();
        await Store.LogBatchAsync(run.Info.RunId,
        [
            new Metric("loss", 0.5, 1000, 2), new Metric("loss", 0.9, 2000, 1), new Metric("nan", double.NaN, 1, 0),
            new Metric("pinf", double.PositiveInfinity, 1, 0), new Metric("ninf", double.NegativeInfinity, 1, 0),
        ], [], []);
        var latest = (await Store.GetRunAsync(run.Info.RunId)).Data.Metrics.ToDictionary(m => m.Key);
        Assert.Equal(0.5, latest["loss"].Value);
        Assert.Equal(2, latest["loss"].Step);
        Assert.True(double.IsNaN(latest["nan"].Value));
        Assert.Equal(double.PositiveInfinity, latest["pinf"].Value);
        Assert.Equal(double.NegativeInfinity, latest["ninf"].Value);

        await Store.LogBatchAsync(run.Info.RunId, [new Metric("loss", 0.1, 500, 3)], [], []);
        Assert.Equal(0.1, (await Store.GetRunAsync(run.Info.RunId)).Data.Metrics.Single(m => m.Key == "loss").Value);
        await Store.LogBatchAsync(run.Info.RunId, [new Metric("loss", 7, 9999, 0)], [], []);
        Assert.Equal(0.1, (await Store.GetRunAsync(run.Info.RunId)).Data.Metrics.Single(m => m.Key == "loss").Value);
    }

    [Fact]
    public async Task Metric_history_is_ordered_paged_and_deduplicated()
    {
        var run = await NewRunAsync();
        var points = Enumerable.Range(0, 25).Select(i => new Metric("acc", i / 100.0, 1000 + i, 24 - i)).ToList();
        await Store.LogBatchAsync(run.Info.RunId, points, [], []);
        await Store.LogBatchAsync(run.Info.RunId, points.Take(5).ToList(), [], []);
        var all = await ReadAllAsync(run.Info.RunId, "acc", 10);
        Assert.Equal(25, all.Count);
        Assert.Equal(Enumerable.Range(0, 25).Select(i => (long)i), all.Select(m => m.Step));
        Assert.Empty((await Store.GetMetricHistoryAsync(run.Info.RunId, "missing", 10, null)).Items);
    }

    [Fact]
    public async Task Metric_history_pages_through_overlapping_chunks_exactly_once_each()
    {
        // Chunks (one per batch) whose step ranges overlap and repeat, equal steps split across chunks and pages,
        // exact duplicates, NaN and -0.0: paging at any size gives the whole history in order, each distinct point once.
        var run = await NewRunAsync();
        var rng = new Random(11);
        var logged = new List<Metric>();
        for (var batch = 0; batch < 30; batch++)
        {
            var start = rng.Next(0, 60);
            var chunk = Enumerable.Range(0, rng.Next(1, 25)).Select(i => new Metric("m",
                i % 11 == 0 ? double.NaN : i % 13 == 0 ? -0.0 : rng.Next(0, 4), rng.Next(0, 3), start + rng.Next(0, 15))).ToList();
            if (batch % 5 == 0 && logged.Count > 0)
            {
                chunk.AddRange(logged.Take(3));
            }
            await Store.LogBatchAsync(run.Info.RunId, chunk, [], []);
            logged.AddRange(chunk);
        }
        var expected = logged.DistinctBy(m => (m.Step, m.Timestamp, BitConverter.DoubleToInt64Bits(m.Value))).Order(Comparer<Metric>.Create(MetricOrder.Compare)).ToList();
        foreach (var pageSize in new[] { 1, 7, 50, 10_000 })
        {
            var all = await ReadAllAsync(run.Info.RunId, "m", pageSize);
            Assert.Equal(expected.Select(m => (m.Step, m.Timestamp, BitConverter.DoubleToInt64Bits(m.Value))),
                all.Select(m => (m.Step, m.Timestamp, BitConverter.DoubleToInt64Bits(m.Value))));
        }
        var bad = await Assert.ThrowsAsync<KilnException>(() => Store.GetMetricHistoryAsync(run.Info.RunId, "m", 5, MetricCursor.Parse(PageToken.Create(5))));
        Assert.Contains("page token", bad.Message);
    }

    [Fact]
    public async Task Metric_history_logged_one_point_at_a_time_at_one_step_pages_by_timestamp()
    {
        var run = await NewRunAsync();
        for (var i = 0; i < 60; i++)
        {
            await Store.LogBatchAsync(run.Info.RunId, [new Metric("s", i, 1000 - i, 0)], [], []);
        }
        var all = await ReadAllAsync(run.Info.RunId, "s", 7);
        Assert.Equal(Enumerable.Range(0, 60).Select(i => 1000L - 59 + i), all.Select(m => m.Timestamp));
    }

    [Fact]
    public async Task Dataset_versions_are_recorded_once_and_found_by_id_prefix_or_latest()
    {
        var data = Metadata.Data;
        var v1 = new Kiln.Core.Data.DatasetVersion("loans", "blake3:aaaa1111", "first", "me", 1000, 2, 30);
        var v2 = new Kiln.Core.Data.DatasetVersion("loans", "blake3:bbbb2222", "second", "me", 2000, 2, 40);
        Assert.True((await data.AddVersionAsync(v1)).Created);
        var again = await data.AddVersionAsync(v1 with { Message = "other", CreatedAt = 5000 });
        Assert.False(again.Created);
        Assert.Equal("first", again.Version.Message);
        await data.AddVersionAsync(v2);
        Assert.Equal(["blake3:bbbb2222", "blake3:aaaa1111"], (await data.ListVersionsAsync("loans")).Select(v => v.VersionId));
        Assert.Equal("blake3:bbbb2222", (await data.GetVersionAsync("loans", "latest")).VersionId);
        Assert.Equal("blake3:aaaa1111", (await data.GetVersionAsync("loans", "aaaa")).VersionId);
        var listed = Assert.Single(await data.ListDatasetsAsync());
        Assert.Equal((2, "blake3:bbbb2222"), (listed.VersionCount, listed.Latest!.VersionId));
        Assert.Equal(ErrorCode.ResourceDoesNotExist, (await Assert.ThrowsAsync<KilnException>(() => data.ListVersionsAsync("nope"))).Code);
    }

    [Fact]
    public async Task Dataset_tags_schemas_and_validations_are_kept_per_version()
    {
        var data = Metadata.Data;
        await data.AddVersionAsync(new Kiln.Core.Data.DatasetVersion("loans", "blake3:aaaa1111", "first", "me", 1000, 1, 30));
        await data.SetTagAsync("loans", "aaaa", "stage", "review");
        await data.SetTagAsync("loans", "latest", "stage", "approved");
        await data.SetTagAsync("loans", "latest", "owner", "risk");
        Assert.Equal(new Dictionary<string, string> { ["owner"] = "risk", ["stage"] = "approved" }, (await data.GetVersionAsync("loans", "latest")).Tags);
        await data.DeleteTagAsync("loans", "latest", "owner");
        Assert.Equal(["stage"], (await data.ListVersionsAsync("loans")).Single().Tags.Keys);
        Assert.Equal(ErrorCode.ResourceDoesNotExist, (await Assert.ThrowsAsync<KilnException>(() => data.DeleteTagAsync("loans", "latest", "owner"))).Code);
        Assert.Equal(ErrorCode.ResourceDoesNotExist, (await Assert.ThrowsAsync<KilnException>(() => data.SetTagAsync("loans", "ffff", "k", "v"))).Code);

        await data.AddSchemaAsync(new Kiln.Core.Data.DatasetSchemaVersion("loans", "blake3:s1", "columns: {}\n", 1000, "me"));
        await data.AddSchemaAsync(new Kiln.Core.Data.DatasetSchemaVersion("loans", "blake3:s2", "rows: {min: 1}\n", 2000, "me"));
        Assert.Equal(["blake3:s2", "blake3:s1"], (await data.ListSchemasAsync("loans")).Select(s => s.SchemaId));
        Assert.Equal(ErrorCode.ResourceDoesNotExist, (await Assert.ThrowsAsync<KilnException>(() =>
            data.AddSchemaAsync(new Kiln.Core.Data.DatasetSchemaVersion("nope", "blake3:s3", "", 1, "me")))).Code);

        var validation = new Kiln.Core.Data.DatasetValidation("v1", "loans", "blake3:aaaa1111", null, "blake3:s2", 3000, "me", 2, 1, "{\"anomalies\":[]}");
        await data.AddValidationAsync(validation);
        await data.AddValidationAsync(validation with { Id = "v2", AgainstVersionId = "blake3:aaaa1111", CreatedAt = 4000, Errors = 0 });
        Assert.Equal(["v2", "v1"], (await data.ListValidationsAsync("loans", "blake3:aaaa1111")).Select(v => v.Id));
        Assert.Empty(await data.ListValidationsAsync("loans", "blake3:other"));
        Assert.Equal(validation, await data.GetValidationAsync("v1"));
        Assert.Equal(ErrorCode.ResourceDoesNotExist, (await Assert.ThrowsAsync<KilnException>(() => data.GetValidationAsync("v9"))).Code);
    }

    [Fact]
    public async Task The_stat_cache_keeps_many_files_in_one_write_and_updates_them()
    {
        var data = Metadata.Data;
        var files = Enumerable.Range(0, 1500).Select(i => ($"/data/loans/part-{i:0000}/ré \"q\".csv", (long)i, 638_700_000_000_000_000L + i, $"blake3:{i:x4}")).ToList();
        await data.RememberHashesAsync(files);
        await data.RememberHashesAsync([("/data/other/x.csv", 1, 2, "blake3:aa")]);
        var cached = await data.CachedHashesAsync("/data/loans/");
        Assert.Equal(1500, cached.Count);
        Assert.Equal((7L, 638_700_000_000_000_007L, "blake3:0007"), cached["/data/loans/part-0007/ré \"q\".csv"]);
        await data.RememberHashesAsync([("/data/loans/part-0007/ré \"q\".csv", 8, 9, "blake3:bb")]);
        Assert.Equal((8L, 9L, "blake3:bb"), (await data.CachedHashesAsync("/data/loans/"))["/data/loans/part-0007/ré \"q\".csv"]);
    }

    private async Task<List<Metric>> ReadAllAsync(string runId, string key, int pageSize)
    {
        var all = new List<Metric>();
        MetricCursor? cursor = null;
        while (true)
        {
            var page = await Store.GetMetricHistoryAsync(runId, key, pageSize, cursor);
            Assert.True(page.Items.Count <= pageSize);
            all.AddRange(page.Items);
            if (page.NextPageToken is null)
            {
                return all;
            }
            cursor = MetricCursor.Parse(page.NextPageToken);
        }
    }

    [Fact]
    public async Task Params_are_immutable_and_a_failed_batch_writes_nothing()
    {
        var run = await NewRunAsync();
        await Store.LogBatchAsync(run.Info.RunId, [], [new Param("lr", "0.1")], []);
        await Store.LogBatchAsync(run.Info.RunId, [], [new Param("lr", "0.1")], []);
        var e = await Assert.ThrowsAsync<KilnException>(() => Store.LogBatchAsync(run.Info.RunId,
            [new Metric("m", 1, 1, 0)], [new Param("depth", "6"), new Param("lr", "0.2")], [new Tag("t", "v")]));
        Assert.Equal(ErrorCode.InvalidParameterValue, e.Code);
        Assert.Contains("lr", e.Message);
        var stored = await Store.GetRunAsync(run.Info.RunId);
        Assert.Equal([new Param("lr", "0.1")], stored.Data.Params);
        Assert.Empty(stored.Data.Metrics);
        Assert.DoesNotContain(stored.Data.Tags, t => t.Key == "t");
    }

    [Fact]
    public async Task Deleted_runs_reject_writes_until_restored()
    {
        var run = await NewRunAsync();
        await Store.SetRunLifecycleAsync(run.Info.RunId, LifecycleStage.Deleted);
        var e = await Assert.ThrowsAsync<KilnException>(() => Store.LogBatchAsync(run.Info.RunId, [new Metric("m", 1, 1, 0)], [], []));
        Assert.Equal(ErrorCode.InvalidParameterValue, e.Code);
        Assert.Empty((await SearchAsync("0", null)).Items);
        await Store.SetRunLifecycleAsync(run.Info.RunId, LifecycleStage.Active);
        await Store.LogBatchAsync(run.Info.RunId, [new Metric("m", 1, 1, 0)], [], []);
        Assert.Single((await SearchAsync("0", null)).Items);
    }

    [Fact]
    public async Task Tags_are_upserted_and_deleted()
    {
        var run = await NewRunAsync();
        await Store.LogBatchAsync(run.Info.RunId, [], [], [new Tag("a", "1"), new Tag("b", "2")]);
        await Store.LogBatchAsync(run.Info.RunId, [], [], [new Tag("a", "3")]);
        await Store.DeleteRunTagAsync(run.Info.RunId, "b");
        var tags = (await Store.GetRunAsync(run.Info.RunId)).Data.Tags.Where(t => !t.Key.StartsWith("mlflow.", StringComparison.Ordinal));
        Assert.Equal([new Tag("a", "3")], tags);
        Assert.Equal(ErrorCode.ResourceDoesNotExist, (await Assert.ThrowsAsync<KilnException>(() => Store.DeleteRunTagAsync(run.Info.RunId, "b"))).Code);
    }

    [Fact]
    public async Task Dataset_inputs_are_recorded_once_per_digest()
    {
        var run = await NewRunAsync();
        var dataset = new Dataset("applicants", "abc123", "local", "{\"uri\": \"data.csv\"}", "{\"mlflow_colspec\": []}", null);
        await Store.LogInputsAsync(run.Info.RunId, [new DatasetInput(dataset, [new Tag("mlflow.data.context", "training")])]);
        await Store.LogInputsAsync(run.Info.RunId, [new DatasetInput(dataset, [new Tag("mlflow.data.context", "training")])]);
        var input = Assert.Single((await Store.GetRunAsync(run.Info.RunId)).Inputs);
        Assert.Equal(dataset, input.Dataset);
        Assert.Equal([new Tag("mlflow.data.context", "training")], input.Tags);
        Assert.Single((await SearchAsync("0", "datasets.name = 'applicants' AND datasets.context = 'training'")).Items);
        Assert.Empty((await SearchAsync("0", "datasets.digest = 'other'")).Items);
    }

    [Fact]
    public async Task Run_search_supports_the_filter_grammar()
    {
        var experiment = await Store.CreateExperimentAsync("grid", null, []);
        var ids = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var run = await NewRunAsync(experiment, $"run-{i}", 1000 + i);
            ids.Add(run.Info.RunId);
            var metrics = new List<Metric> { new("acc", i / 10.0, 1, 0) };
            if (i != 5)
            {
                metrics.Add(new Metric("my metric", i, 1, 0));
            }
            await Store.LogBatchAsync(run.Info.RunId, metrics, [new Param("model", i % 2 == 0 ? "GBDT" : "linear"), new Param("depth", i.ToString())],
                [new Tag("team", i < 3 ? "risk" : "ops")]);
        }
        await Store.UpdateRunAsync(ids[0], RunStatus.Finished, 5000, null);

        async Task<List<string>> Names(string? filter, params string[] order) => [.. (await SearchAsync(experiment, filter, order)).Items.Select(r => r.Info.RunName)];

        Assert.Equal(["run-5", "run-4", "run-3"], await Names("metrics.acc > 0.25"));
        Assert.Equal(["run-3", "run-4", "run-5"], await Names("metrics.acc >= 0.3", "metrics.acc ASC"));
        Assert.Equal(["run-1"], await Names("metrics.acc = 0.1"));
        Assert.Equal(["run-2", "run-1", "run-0"], await Names("metrics.acc <= 0.2"));
        Assert.Equal(["run-4", "run-3", "run-2", "run-1", "run-0"], await Names("metrics.`my metric` < 10"));
        Assert.Equal(["run-4", "run-2", "run-0"], await Names("params.model = 'GBDT'"));
        Assert.Equal(["run-5", "run-3", "run-1"], await Names("params.model != 'GBDT'"));
        Assert.Empty(await Names("params.model LIKE 'gb%'"));
        Assert.Equal(["run-4", "run-2", "run-0"], await Names("params.model ILIKE 'gb%'"));
        Assert.Equal(["run-2", "run-1"], await Names("params.depth IN ('1', '2')"));
        Assert.Equal(["run-5", "run-4", "run-3"], await Names("tags.team NOT IN ('risk')"));
        Assert.Equal(["run-0"], await Names("attributes.status = 'FINISHED'"));
        Assert.Equal(["run-3"], await Names("attributes.run_name = 'run-3'"));
        Assert.Equal(["run-1", "run-0"], await Names("attributes.start_time < 1002"));
        Assert.Equal(["run-2"], await Names($"attributes.run_id IN ('{ids[2]}') AND tags.team = 'risk'"));
        Assert.Equal(["run-0"], await Names("attributes.end_time > 0"));
        Assert.Equal(["run-4", "run-2"], await Names("params.model = 'GBDT' AND metrics.acc > 0.1"));
        Assert.Equal(["run-4", "run-3", "run-2", "run-1", "run-0", "run-5"], await Names(null, "metrics.`my metric` DESC"));
        Assert.Equal(["run-0", "run-1", "run-2", "run-3", "run-4", "run-5"], await Names(null, "metrics.`my metric` ASC"));
        Assert.Equal(["run-0", "run-1", "run-2", "run-3", "run-4", "run-5"], await Names(null, "attributes.start_time ASC"));
        Assert.Equal(["run-5", "run-3", "run-1", "run-4", "run-2", "run-0"], await Names(null, "params.model DESC"));
    }

    [Fact]
    public async Task Run_search_pages_through_all_runs_exactly_once()
    {
        var experiment = await Store.CreateExperimentAsync("paging", null, []);
        var expected = new HashSet<string>();
        for (var i = 0; i < 7; i++)
        {
            expected.Add((await NewRunAsync(experiment, null, 5000)).Info.RunId);
        }
        var seen = new List<string>();
        var offset = 0;
        while (true)
        {
            var page = await Store.SearchRunsAsync(new RunQuery([experiment], [], [], ViewType.ActiveOnly, 3, offset));
            seen.AddRange(page.Items.Select(r => r.Info.RunId));
            if (page.NextPageToken is null)
            {
                break;
            }
            offset = PageToken.Offset(page.NextPageToken);
        }
        Assert.Equal(7, seen.Count);
        Assert.True(expected.SetEquals(seen));
    }

    [Fact]
    public async Task Concurrent_writers_on_two_connections_all_succeed()
    {
        await using var secondStore = await OpenSecondAsync();
        var second = secondStore.Tracking;
        var runs = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            runs.Add((await NewRunAsync()).Info.RunId);
        }
        var tasks = Enumerable.Range(0, 40).Select(i => Task.Run(() => (i % 2 == 0 ? Store : second).LogBatchAsync(runs[i % 4],
            [.. Enumerable.Range(0, 50).Select(s => new Metric("loss", s, i, s))], [new Param("p" + i, "v")], [new Tag("t", i.ToString())])));
        await Task.WhenAll(tasks);
        foreach (var runId in runs)
        {
            var run = await Store.GetRunAsync(runId);
            Assert.Equal(10, run.Data.Params.Count);
            var history = await Store.GetMetricHistoryAsync(runId, "loss", 10_000, null);
            Assert.Equal(500, history.Items.Count);
        }
    }
}
