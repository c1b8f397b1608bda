using System.Net;
using System.Text;
using System.Text.Json;
using Kiln.Core.Registry;
using Kiln.Engine.Registry;
using Kiln.Engine.Serving;
using Kiln.Engine.Training;
using Kiln.Testing;

namespace Kiln.Server.Tests.Serving;

/// <summary>A deployment <c>loan</c> serving a small loan classifier (version 1 of model <c>loan</c>, alias champion) on a test server.</summary>
internal static class LoanDeployment
{
    /// <summary>Trains and registers the model and creates the deployment.</summary>
    public static async Task CreateAsync(KilnTestServer server)
    {
        var run = await server.Get<TrainingSession>().RunAsync(new TrainRequest(LoanData.Write(server.Directory, "train.csv", 400, 61), "approved", "gbdt",
            new Dictionary<string, string> { ["rounds"] = "5" }));
        var registry = server.Get<RegistryService>();
        await registry.CreateModelAsync("loan", null, []);
        await registry.CreateVersionAsync("loan", $"runs:/{run.RunId}/model", null, null, null, [], "ana");
        await registry.SetAliasAsync("loan", "champion", "1", new AliasChange("ana", "set", null));
        await server.Get<DeploymentService>().CreateAsync("loan", [new("champion", "models:/loan@champion", 100, false)], "ana");
    }

    /// <summary>Rows of <c>income, debt, region</c> as MLflow's <c>dataframe_records</c>.</summary>
    public static string Records(IEnumerable<(double Income, double Debt, string Region)> rows) =>
        JsonSerializer.Serialize(new { dataframe_records = rows.Select(r => new { income = r.Income, debt = r.Debt, region = r.Region }) });

    /// <summary>The probabilities <c>POST /deployments/loan/invocations</c> answers for <paramref name="rows"/>.</summary>
    public static async Task<double[]> ProbabilitiesAsync(HttpClient http, IEnumerable<(double Income, double Debt, string Region)> rows)
    {
        using var response = await http.PostAsync("/deployments/loan/invocations", new StringContent(Records(rows), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return [.. doc.RootElement.GetProperty("predictions").EnumerateArray().Select(p => p.GetProperty("probability").GetDouble())];
    }
}
