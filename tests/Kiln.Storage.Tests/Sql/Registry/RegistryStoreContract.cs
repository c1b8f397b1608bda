using Kiln.Core.Errors;
using Kiln.Core.Registry;
using Kiln.Core.Search;

// The registry's part of the one store contract (same class, so SQLite and PostgreSQL both run it).
namespace Kiln.Storage.Tests.Sql.Tracking;

public abstract partial class TrackingStoreContract
{
    private IRegistryStore Registry => Metadata.Registry;

    private static readonly Dictionary<string, string> NoTags = [];

    private Task<ModelVersion> RegisterAsync(string name, string run = "run1", IRegistryStore? registry = null) =>
        (registry ?? Registry).CreateVersionAsync(new NewModelVersion(name, $"runs:/{run}/model", run, null, null, "tester", NoTags), Now());

    private static RegistryQuery Query(string? filter, SearchSchema schema, int max = 100, int offset = 0, params string[] orderBy) =>
        new(FilterParser.ParseFilter(filter, schema), FilterParser.ParseOrderBy(orderBy, schema), max, offset);

    [Fact]
    public async Task Registry_creates_a_model_once_and_numbers_versions_without_reuse()
    {
        var model = await Registry.CreateModelAsync("loans", "risk model", new Dictionary<string, string> { ["team"] = "risk" }, 1000);
        Assert.Equal("risk model", model.Description);
        Assert.Equal("risk", model.Tags["team"]);
        var taken = await Assert.ThrowsAsync<KilnException>(() => Registry.CreateModelAsync("loans", null, NoTags, 1001));
        Assert.Equal(ErrorCode.ResourceAlreadyExists, taken.Code);

        var numbers = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            numbers.Add((await RegisterAsync("loans")).Version);
        }
        Assert.Equal([1, 2, 3], numbers);
        await Registry.DeleteVersionAsync("loans", 3, "tester", Now());
        Assert.Equal(4, (await RegisterAsync("loans")).Version);
        var gone = await Assert.ThrowsAsync<KilnException>(() => Registry.GetVersionAsync("loans", 3));
        Assert.Equal(ErrorCode.ResourceDoesNotExist, gone.Code);
        Assert.Equal("Model Version (name=loans, version=3) not found", gone.Message);
        var unknownModel = await Assert.ThrowsAsync<KilnException>(() => RegisterAsync("nope"));
        Assert.Equal("Registered Model with name=nope not found", unknownModel.Message);
    }

    [Fact]
    public async Task Registry_gives_concurrent_registrations_from_two_processes_distinct_numbers()
    {
        await Registry.CreateModelAsync("race", null, NoTags, Now());
        await using var second = await OpenSecondAsync();
        var all = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => RegisterAsync("race", registry: i % 2 == 0 ? Registry : second.Registry)));
        Assert.Equal(Enumerable.Range(1, 12), all.Select(v => v.Version).Order());
    }

    [Fact]
    public async Task Registry_aliases_move_with_history_and_follow_renames_and_deletes()
    {
        await Registry.CreateModelAsync("m", null, NoTags, Now());
        await RegisterAsync("m");
        await RegisterAsync("m");
        await Registry.SetAliasAsync("m", "champion", 1, new AliasChange("ana", "set", "first"), 100);
        await Registry.SetAliasAsync("m", "champion", 2, new AliasChange("bo", "promote", "better auc"), 200);
        await Registry.SetAliasAsync("m", "challenger", 1, new AliasChange("bo", "set", null), 300);
        Assert.Equal(2, (await Registry.GetVersionByAliasAsync("m", "champion")).Version);
        Assert.Equal(["challenger"], (await Registry.GetVersionAsync("m", 1)).Aliases);
        Assert.Equal(new Dictionary<string, int> { ["challenger"] = 1, ["champion"] = 2 }, (await Registry.GetModelAsync("m")).Aliases);

        var renamed = await Registry.RenameModelAsync("m", "m2", Now());
        Assert.Equal(2, renamed.Aliases["champion"]);
        Assert.Equal(ErrorCode.ResourceDoesNotExist, (await Assert.ThrowsAsync<KilnException>(() => Registry.GetModelAsync("m"))).Code);
        await Registry.DeleteVersionAsync("m2", 1, "cy", 400); // takes challenger with it
        Assert.Null(await Registry.DeleteAliasAsync("m2", "challenger", new AliasChange("cy", "delete", null), 450));
        var deleted = await Registry.DeleteAliasAsync("m2", "champion", new AliasChange("cy", "delete", "retired"), 500);
        Assert.Equal(2, deleted!.PreviousVersion);
        var missing = await Assert.ThrowsAsync<KilnException>(() => Registry.GetVersionByAliasAsync("m2", "champion"));
        Assert.Equal("Registered model alias champion not found.", missing.Message);

        var history = await Registry.AliasHistoryAsync("m2", null);
        Assert.Equal(
            ["champion:1<-:ana:set", "champion:2<-1:bo:promote", "challenger:1<-:bo:set", "challenger:<-1:cy:delete-version", "champion:<-2:cy:delete"],
            history.Select(e => $"{e.Alias}:{e.Version}<-{e.PreviousVersion}:{e.UserId}:{e.Action}"));
        Assert.Equal("better auc", history[1].Reason);
        Assert.Equal([200L], (await Registry.AliasHistoryAsync("m2", "champion")).Where(e => e.Version == 2).Select(e => e.Time));
    }

    [Fact]
    public async Task Registry_compare_and_set_lets_exactly_one_of_two_racing_promotions_win()
    {
        await Registry.CreateModelAsync("cas", null, NoTags, Now());
        await RegisterAsync("cas");
        await RegisterAsync("cas");
        await RegisterAsync("cas");
        await Registry.SetAliasAsync("cas", "champion", 1, new AliasChange("a", "set", null), Now());
        await using var second = await OpenSecondAsync();
        var results = await Task.WhenAll(
            Attempt(Registry, 2), Attempt(second.Registry, 3));
        Assert.Single(results, r => r is null);
        var loser = Assert.Single(results, r => r is not null)!;
        Assert.Equal(ErrorCode.ResourceConflict, loser.Code);
        Assert.Contains("moved meanwhile", loser.Message);
        Assert.Equal(2, (await Registry.AliasHistoryAsync("cas", "champion")).Count);

        async Task<KilnException?> Attempt(IRegistryStore registry, int version)
        {
            try
            {
                await registry.SetAliasAsync("cas", "champion", version, new AliasChange("p", "promote", null, ExpectedVersion: 1), Now());
                return null;
            }
            catch (KilnException e)
            {
                return e;
            }
        }
    }

    [Fact]
    public async Task Registry_search_filters_orders_and_pages_models_and_versions()
    {
        foreach (var name in new[] { "alpha", "beta", "Alpine", "gamma" })
        {
            await Registry.CreateModelAsync(name, null, name.StartsWith('g') ? new Dictionary<string, string> { ["team"] = "risk" } : NoTags, Now());
        }
        Assert.Equal(["alpha"], (await Registry.SearchModelsAsync(Query("name LIKE 'al%'", SearchSchema.RegisteredModels))).Items.Select(m => m.Name));
        Assert.Equal(["Alpine", "alpha"], (await Registry.SearchModelsAsync(Query("name ILIKE 'al%'", SearchSchema.RegisteredModels))).Items.Select(m => m.Name));
        Assert.Equal(["gamma"], (await Registry.SearchModelsAsync(Query("tags.team = 'risk'", SearchSchema.RegisteredModels))).Items.Select(m => m.Name));
        var first = await Registry.SearchModelsAsync(Query(null, SearchSchema.RegisteredModels, max: 3, orderBy: "name DESC"));
        Assert.Equal(["gamma", "beta", "alpha"], first.Items.Select(m => m.Name));
        var rest = await Registry.SearchModelsAsync(Query(null, SearchSchema.RegisteredModels, max: 3, offset: PageToken.Offset(first.NextPageToken), orderBy: "name DESC"));
        Assert.Equal(["Alpine"], rest.Items.Select(m => m.Name));
        Assert.Null(rest.NextPageToken);

        await RegisterAsync("alpha", "r1");
        await RegisterAsync("alpha", "r2");
        await RegisterAsync("beta", "r1");
        await Registry.SetVersionTagAsync("beta", 1, "stage", "qa");
        var byRun = await Registry.SearchVersionsAsync(Query("run_id IN ('r1')", SearchSchema.ModelVersions, orderBy: "name ASC"));
        Assert.Equal(["alpha/1", "beta/1"], byRun.Items.Select(v => $"{v.Name}/{v.Version}"));
        Assert.Equal(["alpha/2"], (await Registry.SearchVersionsAsync(Query("name = 'alpha' AND version_number > 1", SearchSchema.ModelVersions))).Items.Select(v => $"{v.Name}/{v.Version}"));
        var tagged = Assert.Single((await Registry.SearchVersionsAsync(Query("tags.stage = 'qa'", SearchSchema.ModelVersions))).Items);
        Assert.Equal("qa", tagged.Tags["stage"]);
        Assert.Equal(["alpha/1"], (await Registry.SearchVersionsAsync(Query("source_path = 'runs:/r1/model' AND name = 'alpha'", SearchSchema.ModelVersions))).Items.Select(v => $"{v.Name}/{v.Version}"));
    }

    [Fact]
    public async Task Registry_keeps_the_latest_version_per_stage_and_archives_on_request()
    {
        await Registry.CreateModelAsync("staged", null, NoTags, Now());
        for (var i = 0; i < 4; i++)
        {
            await RegisterAsync("staged");
        }
        await Registry.TransitionStageAsync("staged", 1, "Production", false, Now());
        await Registry.TransitionStageAsync("staged", 2, "Production", false, Now());
        await Registry.TransitionStageAsync("staged", 3, "Production", archiveExisting: true, Now());
        var model = await Registry.GetModelAsync("staged");
        Assert.Equal(["2:Archived", "3:Production", "4:None"], model.LatestVersions.OrderBy(v => v.Version).Select(v => $"{v.Version}:{v.CurrentStage}"));
        Assert.Equal("Archived", (await Registry.GetVersionAsync("staged", 1)).CurrentStage);
        var bad = await Assert.ThrowsAsync<KilnException>(() => Registry.TransitionStageAsync("staged", 4, "None", archiveExisting: true, Now()));
        Assert.Contains("is not an Active stage", bad.Message);
    }

    [Fact]
    public async Task Registry_delete_takes_versions_tags_and_aliases_and_the_name_starts_again()
    {
        await Registry.CreateModelAsync("tmp", null, new Dictionary<string, string> { ["k"] = "v" }, Now());
        await RegisterAsync("tmp");
        await Registry.SetVersionTagAsync("tmp", 1, "a", "b");
        await Registry.SetAliasAsync("tmp", "champion", 1, new AliasChange("u", "set", null), Now());
        await Registry.DeleteModelAsync("tmp");
        Assert.Empty((await Registry.SearchVersionsAsync(Query("name = 'tmp'", SearchSchema.ModelVersions))).Items);
        var again = await Registry.CreateModelAsync("tmp", null, NoTags, Now());
        Assert.Empty(again.Tags);
        Assert.Empty(again.Aliases);
        Assert.Equal(1, (await RegisterAsync("tmp")).Version);
        Assert.Empty(await Registry.AliasHistoryAsync("tmp", null));
    }
}
