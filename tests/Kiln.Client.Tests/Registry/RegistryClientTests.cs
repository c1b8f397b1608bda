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
}
