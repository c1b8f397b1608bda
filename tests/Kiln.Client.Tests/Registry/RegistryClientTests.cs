using System.Net;
using System.Text;
using Kiln.Core.Errors;
using Kiln.Testing;

namespace Kiln.Client.Tests.Registry;

/// <summary>The registry over HTTP: MLflow's routes as its clients call them, and Kiln's history route.</summary>
public sealed class RegistryClientTests : ClientTestBase
{
    private async Task<string> TrainedRunAsync()
    {
        var home = Server.Directory;
        var data = LoanData.Write(home, "train.csv", 400, 2);
        var result = await Server.Get<Kiln.Engine.Training.TrainingSession>().RunAsync(
            new Kiln.Engine.Training.TrainRequest(data, "approved", "gbdt", new Dictionary<string, string> { ["rounds"] = "6" }));
        return result.RunId;
    }

    [Fact]
    public async Task Versions_aliases_history_and_files_round_trip_over_http()
    {
        var runId = await TrainedRunAsync();
        var model = await Client.CreateRegisteredModelAsync("loans", "approval risk", new Dictionary<string, string> { ["team"] = "risk" });
        Assert.Equal("risk", model.Tags["team"]);
        var v1 = await Client.CreateModelVersionAsync("loans", $"runs:/{runId}/model", description: "baseline");
        var v2 = await Client.CreateModelVersionAsync("loans", $"runs:/{runId}/model", tags: new Dictionary<string, string> { ["auc"] = "0.91" });
        Assert.Equal((1, 2), (v1.Version, v2.Version));
        Assert.Equal(runId, v1.RunId); // taken from the runs:/ source
        Assert.Equal("READY", v1.Status);
        Assert.Equal(Environment.UserName, v1.UserId); // the client says who it is

        await Client.SetModelAliasAsync("loans", "champion", 1);
        await Client.SetModelAliasAsync("loans", "champion", 2);
        Assert.Equal(2, (await Client.GetModelVersionByAliasAsync("loans", "champion")).Version);
        Assert.Equal(["champion"], (await Client.GetModelVersionAsync("loans", 2)).Aliases);
        var history = await Client.GetAliasHistoryAsync("loans", "champion");
        Assert.Equal([(1, (int?)null), (2, 1)], history.Select(e => (e.Version!.Value, e.PreviousVersion)));

        Assert.Equal($"runs:/{runId}/model", await Client.GetModelVersionDownloadUriAsync("loans", 2));
        var found = await Client.SearchModelVersionsAsync("name = 'loans' AND tags.auc = '0.91'");
        Assert.Equal([2], found.Items.Select(v => v.Version));
        Assert.Equal(["loans"], (await Client.SearchRegisteredModelsAsync("name LIKE 'lo%'")).Items.Select(m => m.Name));

        // the UI route serves a version's file; the path is checked before the version is looked up
        var mlmodel = await Server.Http.GetStringAsync("/model-versions/get-artifact?name=loans&version=1&path=MLmodel");
        Assert.Contains("run_id: " + runId, mlmodel);
        var escape = await Server.Http.GetAsync("/model-versions/get-artifact?name=none&version=1&path=../x");
        Assert.Equal(HttpStatusCode.BadRequest, escape.StatusCode);
        Assert.Equal("{\"error_code\":\"INVALID_PARAMETER_VALUE\",\"message\":\"Invalid path\"}", await escape.Content.ReadAsStringAsync());

        await Client.DeleteModelVersionAsync("loans", 2); // a DELETE with a JSON body, as MLflow's client sends it
        var afterDelete = await Client.GetRegisteredModelAsync("loans");
        Assert.Empty(afterDelete.Aliases);
        Assert.Equal(3, (await Client.CreateModelVersionAsync("loans", $"runs:/{runId}/model")).Version);
        Assert.Equal("delete-version", (await Client.GetAliasHistoryAsync("loans")).Last().Action);
    }

    [Fact]
    public async Task Errors_carry_mlflow_codes_and_http_statuses()
    {
        await Client.CreateRegisteredModelAsync("m");
        var taken = await Assert.ThrowsAsync<KilnException>(() => Client.CreateRegisteredModelAsync("m"));
        Assert.Equal(ErrorCode.ResourceAlreadyExists, taken.Code);
        var reserved = await Assert.ThrowsAsync<KilnException>(() => Client.SetModelAliasAsync("m", "latest", 1));
        Assert.Equal("'latest' alias name (case insensitive) is reserved.", reserved.Message);
        var unknown = await Assert.ThrowsAsync<KilnException>(() => Client.GetModelVersionAsync("m", 4));
        Assert.Equal(ErrorCode.ResourceDoesNotExist, unknown.Code);

        using var badVersion = await Server.Http.GetAsync("/api/2.0/mlflow/model-versions/get?name=m&version=one");
        Assert.Equal(HttpStatusCode.BadRequest, badVersion.StatusCode);
        Assert.Contains("Model version must be an integer, got 'one'", await badVersion.Content.ReadAsStringAsync());
        using var localSource = await Server.Http.PostAsync("/api/2.0/mlflow/model-versions/create",
            new StringContent("{\"name\":\"m\",\"source\":\"/etc\"}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, localSource.StatusCode);
        Assert.Contains("To use a local path as a model version source", await localSource.Content.ReadAsStringAsync());
        using var badStage = await Server.Http.PostAsync("/api/2.0/mlflow/model-versions/transition-stage",
            new StringContent("{\"name\":\"m\",\"version\":\"1\",\"stage\":\"Prod\"}", Encoding.UTF8, "application/json"));
        Assert.Contains("Invalid Model Version stage: Prod", await badStage.Content.ReadAsStringAsync());
        Assert.Empty((await Client.GetRegisteredModelAsync("m")).LatestVersions); // nothing changed
    }

    [Fact]
    public async Task Gates_promotions_rollback_and_the_audit_trail_work_over_http()
    {
        var runId = await TrainedRunAsync();
        var holdout = LoanData.Write(Server.Directory, "holdout.csv", 400, 3);
        await Client.CreateRegisteredModelAsync("loans");
        await Client.CreateModelVersionAsync("loans", $"runs:/{runId}/model");
        await Client.CreateModelVersionAsync("loans", $"runs:/{runId}/model");
        var bad = await Assert.ThrowsAsync<KilnException>(() => Client.SaveGateSpecAsync("loans", "checks:\n  - auc >= 0.5\n"));
        Assert.Contains("unknown metric 'auc'", bad.Message);
        Assert.StartsWith("sha256:", await Client.SaveGateSpecAsync("loans", "alias: champion\nchecks:\n  - roc_auc >= 0.5\n  - roc_auc >= champion - 0.01\n"));

        var (passed, verdict) = await Client.RunGateAsync("loans", 1, holdout);
        Assert.True(passed, verdict);
        Assert.Equal("MOVED", await Client.PromoteAsync("loans", 1));
        var refused = await Assert.ThrowsAsync<KilnException>(() => Client.PromoteAsync("loans", 2));
        Assert.Contains("no gate verdict", refused.Message);
        Assert.Equal("MOVED", await Client.PromoteAsync("loans", 2, force: true, reason: "hotfix for incident 7"));
        Assert.Equal(1, await Client.RollbackAsync("loans", reason: "hotfix reverted"));

        var audit = await Client.GetAuditAsync("models/loans");
        Assert.Contains(audit, e => e.Action == "model.gate.verdict" && e.After!.Contains("\"passed\":true", StringComparison.Ordinal));
        var moves = audit.Where(e => e.Action == "model.alias.set").ToList();
        Assert.Equal(3, moves.Count);
        Assert.All(moves, e => Assert.Equal(Environment.UserName, e.UserId)); // Kiln.Client says who it is
        Assert.Contains("force-promote", moves[1].After);
        Assert.True((await Client.VerifyAuditAsync()).Intact);
        Assert.Equal(["promote", "force-promote", "rollback"], (await Client.GetAliasHistoryAsync("loans", "champion")).Select(e => e.Action));
    }
}
