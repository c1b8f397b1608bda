using System.Globalization;
using Kiln.Core.Errors;
using Kiln.Engine.Scoring;
using Kiln.Engine.Training;
using Kiln.Testing;

namespace Kiln.Models.Tests;

/// <summary>A .NET app loads a model trained by Kiln and scores typed rows in-process, exactly as batch scoring does.</summary>
public sealed class KilnModelTests : IAsyncLifetime
{
    private KilnTestServer _server = null!;
    private string _runId = null!;

    public async Task InitializeAsync()
    {
        _server = await KilnTestServer.StartAsync();
        var train = LoanData.Write(_server.Directory, "train.csv", 1500, 7);
        var result = await _server.Get<TrainingSession>().RunAsync(
            new TrainRequest(train, "approved", "gbdt", new Dictionary<string, string> { ["rounds"] = "20" }, Experiment: "models"));
        _runId = result.RunId;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_registered_version_loads_by_models_uri_through_the_server_and_from_the_local_registry()
    {
        var registry = _server.Get<Kiln.Engine.Registry.RegistryService>();
        await registry.CreateModelAsync("loans", null, []);
        await registry.CreateVersionAsync("loans", $"runs:/{_runId}/model", null, null, null, [], "tester");
        await registry.SetAliasAsync("loans", "champion", "1", new Kiln.Core.Registry.AliasChange("tester", "set", null));

        var remote = await KilnModel.LoadAsync("models:/loans@champion", _server.BaseUri);
        var local = await KilnModel.LoadAsync("models:/loans/latest", _server.Get<Kiln.Engine.Tracking.ITracking>(), registry);
        var direct = await KilnModel.LoadAsync($"runs:/{_runId}/model", _server.BaseUri);
        var row = new Application { Income = 0.7, Debt = 0.2, Region = "north" };
        var expected = direct.CreateScorer<Application>().Predict(row);
        Assert.Equal(expected, remote.CreateScorer<Application>().Predict(row));
        Assert.Equal(expected, local.CreateScorer<Application>().Predict(row));

        var missing = await Assert.ThrowsAsync<KilnException>(() => KilnModel.LoadAsync("models:/loans@nobody", _server.BaseUri));
        Assert.Contains("alias nobody not found", missing.Message);
        var noRegistry = await Assert.ThrowsAsync<KilnException>(() => KilnModel.LoadAsync("models:/loans/1", _server.Get<Kiln.Engine.Tracking.ITracking>()));
        Assert.Contains("no model registry", noRegistry.Message);
    }

    [Fact]
    public async Task A_scorer_explains_a_row_and_names_the_reasons_for_a_decline()
    {
        var model = await KilnModel.LoadAsync($"runs:/{_runId}/model", _server.BaseUri);
        var scorer = model.CreateScorer<Application>();
        var poor = new Application { Income = 0.05, Debt = 0.95, Region = "south" };
        var contributions = new double[scorer.ExplanationWidth];
        scorer.Explain(poor, contributions);
        var p = scorer.Predict(poor);
        Assert.Equal(Math.Log(p / (1 - p)), contributions.Sum(), 6);
        var reasons = scorer.Reasons(poor, 2);
        Assert.Equal("0", scorer.PredictClass(poor));
        Assert.InRange(reasons.Count, 1, 2);
        Assert.All(reasons, r => Assert.True(r.Contribution < 0));
        Assert.Contains(reasons[0].Feature, new[] { "income", "debt", "region" });
    }

    public sealed class Application
    {
        public double? Income { get; init; }

        public double Debt { get; init; }

        public string? Region { get; init; }

        public string? Notes { get; init; }
    }

    public enum Region
    {
        North,
        South,
        East,
    }

    public record struct EnumApplication
    {
        [Feature("income")]
        public double Earnings;

        public float Debt;

        [Feature("region")]
        public Region Area;
    }

    public sealed class WrongTypes
    {
        public string Income { get; init; } = "";

        public int Region { get; init; }
    }

    [Fact]
    public async Task Typed_rows_score_as_the_batch_path_scores_the_same_file_including_missing_and_unseen_values()
    {
        var model = await KilnModel.LoadAsync($"runs:/{_runId}/model", _server.BaseUri);
        Assert.Equal("gbdt", model.Learner);
        var scorer = model.CreateScorer<Application>();
        Application[] rows =
        [
            new() { Income = 0.9, Debt = 0.05, Region = "north", Notes = "ignored" },
            new() { Income = 0.2, Debt = 0.7, Region = "south" },
            new() { Income = null, Debt = 0.3, Region = "east" },
            new() { Income = 0.6, Debt = 0.2, Region = "west" },
            new() { Income = 0.6, Debt = 0.2, Region = null },
        ];
        var csv = Path.Combine(_server.Directory, "rows.csv");
        await File.WriteAllLinesAsync(csv, ["income,debt,region", .. rows.Select(r =>
            $"{r.Income?.ToString(CultureInfo.InvariantCulture) ?? ""},{r.Debt.ToString(CultureInfo.InvariantCulture)},{r.Region ?? ""}")]);
        var batch = model.Model.Predict(ScoringInput.ReadCsv(csv, model.Schema));

        Assert.Equal(batch, scorer.Predict(rows));
        Assert.Equal(batch[0], scorer.Predict(rows[0]));
        Assert.True(batch[0] > 0.5 && batch[1] < 0.5, $"{batch[0]} {batch[1]}");
        Assert.Equal("1", scorer.PredictClass(rows[0]));
        Assert.Equal("0", scorer.PredictClass(rows[1]));
    }

    [Fact]
    public async Task One_row_scores_without_allocating_and_enums_map_to_categories()
    {
        var model = await KilnModel.LoadAsync($"runs:/{_runId}/model", _server.BaseUri);
        var scorer = model.CreateScorer<EnumApplication>();
        var text = model.CreateScorer<Application>();
        var row = new EnumApplication { Earnings = 0.9, Debt = 0.05f, Area = Region.North };
        // Enum values read the category of the same name (ignoring case); a value the model never saw is missing.
        Assert.Equal(text.Predict(new Application { Income = 0.9, Debt = 0.05f, Region = "north" }), scorer.Predict(row));
        Assert.Equal(text.Predict(new Application { Income = 0.9, Debt = 0.05f, Region = null }), scorer.Predict(row with { Area = (Region)42 }));

        var total = 0.0;
        for (var i = 0; i < 100; i++)
        {
            total += scorer.Predict(row) + text.Predict(new Application { Income = 0.5, Debt = 0.1, Region = "north" });
        }
        var application = new Application { Income = 0.5, Debt = 0.1, Region = "north" };
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            total += scorer.Predict(row) + text.Predict(application);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(total > 0);
    }

    public enum AliasedRegion
    {
        North,
        Nord = North,
        South,
    }

    public sealed class Explicit
    {
        [Feature("debt")]
        public double Income { get; init; }

        public double Debt { get; init; }

        [Feature("income")]
        public double Earnings { get; init; }

        [Feature("region")]
        public AliasedRegion Area { get; init; }
    }

    [Fact]
    public async Task Feature_attributes_win_over_names_and_enum_aliases_bind()
    {
        var model = await KilnModel.LoadAsync($"runs:/{_runId}/model", _server.BaseUri);
        var scorer = model.CreateScorer<Explicit>();
        var text = model.CreateScorer<Application>();
        // Income carries [Feature("debt")]: it feeds debt only, even though its name matches the income feature
        Assert.Equal(text.Predict(new Application { Income = 0.9, Debt = 0.1, Region = "north" }),
            scorer.Predict(new Explicit { Earnings = 0.9, Income = 0.1, Debt = 0.7, Area = AliasedRegion.Nord }));
    }

    [Fact]
    public async Task A_row_type_that_does_not_fit_names_every_problem_and_a_bad_reference_says_what_to_pass()
    {
        var model = await KilnModel.LoadAsync($"runs:/{_runId}/model", _server.BaseUri);
        var e = Assert.Throws<ArgumentException>(() => model.CreateScorer<WrongTypes>());
        Assert.Contains("'income' is numeric but", e.Message);
        Assert.Contains("'debt'", e.Message);
        Assert.Contains("'region' is categorical but", e.Message);

        var missing = await Assert.ThrowsAsync<KilnException>(() => KilnModel.LoadAsync("runs:/no-such-run/model", _server.BaseUri));
        Assert.Equal(ErrorCode.ResourceDoesNotExist, missing.Code);
        var folder = Assert.Throws<KilnException>(() => KilnModel.Load(Path.Combine(_server.Directory, "nowhere")));
        Assert.Contains("MLmodel", folder.Message);
    }

    [Fact]
    public async Task The_sample_app_scores_a_model_folder()
    {
        var model = Path.Combine(_server.Directory, "model-copy");
        var (directory, temporary) = await new Kiln.Engine.Packaging.ModelLocator(_server.Get<Kiln.Engine.Tracking.ITracking>()).ResolveAsync($"runs:/{_runId}/model", default);
        Directory.Move(directory, model);
        Assert.True(temporary);
        var output = new StringWriter();
        var exit = await Kiln.Samples.Scoring.Program.RunAsync([model], output);
        Assert.Equal(0, exit);
        Assert.Contains("approve", output.ToString());
        Assert.Matches(@"P\(approved\) = 0\.\d+", output.ToString());
    }

    [Fact]
    public void An_imported_xgboost_package_scores_in_process_and_an_onnx_one_is_refused_clearly()
    {
        using var dir = new TempDirectory();
        var xgb = dir.File("xgb");
        using (Kiln.Engine.Flavors.ModelImport.Package(Kiln.Engine.Flavors.FlavorCatalog.Builtin, FlavorFixtures.PathOf("xgb_binary.json"), null,
            Kiln.Engine.Flavors.ModelHints.None, xgb, DateTimeOffset.UnixEpoch))
        {
        }

        var model = KilnModel.Load(xgb);

        Assert.Equal("x0", model.Schema.Features[0].Name);
        Assert.True(FlavorFixtures.MaxDifference(model.Model.Predict(FlavorFixtures.Rows()), FlavorFixtures.Expected("expected_xgb_binary.csv")) <= 1e-6);
        var onnx = dir.File("onnx");
        using (Kiln.Engine.Flavors.ModelImport.Package(Kiln.Flavors.KilnFlavors.All, FlavorFixtures.PathOf("onnx_binary.onnx"), null,
            Kiln.Engine.Flavors.ModelHints.None, onnx, DateTimeOffset.UnixEpoch))
        {
        }
        var error = Assert.Throws<Kiln.Learn.LearnException>(() => KilnModel.Load(onnx));
        Assert.Contains("onnx", error.Message, StringComparison.Ordinal);
    }
}
