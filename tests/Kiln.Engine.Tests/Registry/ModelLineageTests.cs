using Kiln.Core.Registry;
using Kiln.Engine.Data;
using Kiln.Engine.Evaluation;
using Kiln.Engine.Registry;
using Kiln.Engine.Registry.Gates;
using Kiln.Engine.Training;
using Kiln.Testing;

namespace Kiln.Engine.Tests.Registry;

/// <summary>From a model version back to the validated dataset version it was trained on, and the card that tells it.</summary>
public sealed class ModelLineageTests : KilnHostTest
{
    [Fact]
    public async Task Lineage_and_card_follow_the_version_to_its_run_its_validated_data_its_evaluation_and_its_gate()
    {
        var data = Host.Get<DataService>();
        var (version, _, _) = await data.AddAsync("applicants", LoanData.Write(Dir, "train.csv", 900, 31), "january", "ana");
        await data.ValidateAsync(version, version, null, "ana"); // against itself: infers and saves the schema, then checks
        var (file, folder, source) = await data.MaterializeAsync("datasets:/applicants@latest");
        var run = await Host.Get<TrainingSession>().RunAsync(new TrainRequest(file, "approved", "gbdt", new Dictionary<string, string> { ["rounds"] = "8" }, DataSource: source));
        Directory.Delete(folder, recursive: true);

        var registry = Host.Get<RegistryService>();
        await registry.CreateModelAsync("loans", "Approves or declines consumer loans. Not for business lending.", []);
        await registry.CreateVersionAsync("loans", $"runs:/{run.RunId}/model", null, null, "baseline", [], "ana");
        var holdout = LoanData.Write(Dir, "holdout.csv", 600, 32);
        var evaluation = await Host.Get<EvaluationService>().EvaluateAsync(new EvaluationRequest("models:/loans/1", holdout, null, ["region"]));
        var gates = Host.Get<GateService>();
        await gates.SaveSpecAsync("loans", "checks:\n  - roc_auc >= 0.5\n", "ana");
        await gates.GateAsync("loans", 1, holdout, null, null, "ana");
        await gates.PromoteAsync("loans", 1, "champion", "bo", false, null);

        var lineage = await ModelLineage.BuildAsync(registry, Host.Get<IRegistryStore>(), Tracking, Host.Get<Core.Data.IDataStore>(), "loans", 1);
        Assert.Equal(run.RunId, lineage.SourceRun!.Info.RunId);
        var training = Assert.Single(lineage.Datasets);
        Assert.Equal(("applicants", version.VersionId, "training", true), (training.Name, training.Digest, training.Context, training.Versioned));
        Assert.Single(training.Validations);
        // the explicit evaluation and the gate's evaluation of the candidate
        Assert.Equal(2, lineage.Evaluations.Count);
        Assert.Contains(lineage.Evaluations, e => e.Run.Info.RunId == evaluation.RunId);
        Assert.True(Assert.Single(lineage.Verdicts).Passed);
        Assert.Equal("promote", Assert.Single(lineage.AliasMoves).Action);

        var markdown = ModelCard.Markdown(await registry.GetModelAsync("loans"), lineage);
        Assert.Contains("# Model card: loans version 1", markdown);
        Assert.Contains("Not for business lending.", markdown);
        Assert.Contains($"`datasets:/applicants/{version.VersionId}` (validated", markdown);
        Assert.Contains(evaluation.RunId, markdown);
        Assert.Contains("| region = north |", markdown);
        Assert.Contains("**passed** for `champion`", markdown);
        Assert.Contains("`champion` → this version, promote by bo", markdown);
        var html = ModelCard.Html(markdown, "loans v1");
        Assert.Contains("<h1>Model card: loans version 1</h1>", html);
        Assert.Contains("<th>slice</th>", html);
        Assert.DoesNotContain("<script", html);
    }
}
