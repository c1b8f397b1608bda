using System.Net;
using System.Text;
using System.Text.Json;
using Kiln.Core.Registry;
using Kiln.Core.Serving;
using Kiln.Engine.Flavors;
using Kiln.Engine.Registry;
using Kiln.Engine.Serving;
using Kiln.Tabular.Columns;
using Kiln.Testing;

namespace Kiln.Server.Tests.Serving;

/// <summary>Models trained elsewhere (XGBoost, ONNX, ML.NET), registered from their files and served by deployments over
/// MLflow scoring and the Open Inference Protocol, with adaptive batching for the runtimes that gain from it.</summary>
public sealed class FlavorServingTests : IAsyncLifetime
{
    private static readonly string[] Names = ["x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7"];
    private KilnTestServer _server = null!;

    public async Task InitializeAsync() => _server = await KilnTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task DeployAsync(string name, string file, RouteBatching? batching = null)
    {
        await _server.Get<ModelImportService>().ImportAsync(
            new ModelImportRequest(name, FlavorFixtures.PathOf(file), null, new ModelHints(Names, "y_bin", ["0", "1"]), null, []), "ana");
        await _server.Get<RegistryService>().SetAliasAsync(name, "champion", "1", new AliasChange("ana", "set", null));
        await _server.Get<DeploymentService>().CreateAsync(name, [new("champion", $"models:/{name}@champion", 100, false, batching)], "ana");
    }

    /// <summary>The fixture rows as MLflow's dataframe_split (missing values as null).</summary>
    private static string Split(int from, int count)
    {
        var rows = FlavorFixtures.Rows();
        var data = Enumerable.Range(from, count).Select(r => rows.Columns.Select(c => c.IsMissing(r) ? (double?)null : ((NumericColumn)c).GetValue(r)).ToArray());
        return JsonSerializer.Serialize(new { dataframe_split = new { columns = Names, data } });
    }

    private static async Task<double[]> ProbabilitiesAsync(HttpClient http, string deployment, string body)
    {
        using var response = await http.PostAsync($"/deployments/{deployment}/invocations", new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        using var doc = JsonDocument.Parse(text);
        return [.. doc.RootElement.GetProperty("predictions").EnumerateArray().Select(p => p.GetProperty("probability").GetDouble())];
    }

    [Theory]
    [InlineData("xgb_binary.ubj", "expected_xgb_binary.csv", 1e-6)]
    [InlineData("onnx_binary.onnx", "expected_onnx_binary.csv", 1e-5)]
    [InlineData("mlnet_binary.zip", "expected_mlnet_binary.csv", 1e-6)]
    public async Task A_model_trained_elsewhere_answers_both_protocols_with_its_libraries_predictions(string file, string expected, double tolerance)
    {
        await DeployAsync("risk", file);
        var want = FlavorFixtures.Expected(expected);

        var mlflow = await ProbabilitiesAsync(_server.Http, "risk", Split(0, 100));
        Assert.True(FlavorFixtures.MaxDifference(mlflow, want[..100]) <= tolerance);

        var rows = FlavorFixtures.Rows();
        var inputs = Names.Select((n, f) => new
        {
            name = n, datatype = "FP64", shape = new[] { 5 },
            data = Enumerable.Range(0, 5).Select(r => rows[f].IsMissing(r) ? (double?)null : ((NumericColumn)rows[f]).GetValue(r)).ToArray(),
        });
        using var response = await _server.Http.PostAsync("/v2/models/risk/infer",
            new StringContent(JsonSerializer.Serialize(new { id = "r-1", inputs }), Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        using var doc = JsonDocument.Parse(text);
        Assert.Equal("r-1", doc.RootElement.GetProperty("id").GetString());
        var probability = doc.RootElement.GetProperty("outputs").EnumerateArray().Single(o => o.GetProperty("name").GetString() == "probability");
        Assert.True(FlavorFixtures.MaxDifference([.. probability.GetProperty("data").EnumerateArray().Select(e => e.GetDouble())], want[..5]) <= tolerance);

        using var missing = await _server.Http.PostAsync("/deployments/risk/invocations",
            new StringContent("""{"dataframe_records": [{"x0": 1}]}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Contains("x1", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Asking_an_onnx_model_to_explain_is_a_clear_400_and_an_imported_xgboost_model_explains()
    {
        await DeployAsync("onnx", "onnx_binary.onnx");
        await DeployAsync("xgb", "xgb_binary.json");
        static string Explained(string body) => body[..^1] + ", \"explain\": true}";
        using var onnx = await _server.Http.PostAsync("/deployments/onnx/invocations", new StringContent(Explained(Split(1, 1)), System.Text.Encoding.UTF8, "application/json"));
        var error = await onnx.Content.ReadAsStringAsync();
        Assert.True(onnx.StatusCode == System.Net.HttpStatusCode.BadRequest, error);
        Assert.Contains("onnx model, which Kiln cannot explain", error);
        using var xgb = await _server.Http.PostAsync("/deployments/xgb/invocations", new StringContent(Explained(Split(1, 1)), System.Text.Encoding.UTF8, "application/json"));
        var text = await xgb.Content.ReadAsStringAsync();
        Assert.True(xgb.IsSuccessStatusCode, text);
        Assert.Contains("\"explanations\"", text);
        // a body that is not JSON (but mentions explain) is the scoring reader's 400, not a server error
        using var broken = await _server.Http.PostAsync("/deployments/xgb/invocations", new StringContent("{\"explain\": true, \"dataframe_split\": {", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, broken.StatusCode);
    }

    [Fact]
    public async Task Concurrent_requests_to_an_onnx_model_are_batched_and_each_gets_its_own_rows_back()
    {
        await DeployAsync("onnx", "onnx_binary.onnx", new RouteBatching(MaxRows: 64, MaxWaitMs: 5));
        var want = FlavorFixtures.Expected("expected_onnx_binary.csv");

        // 200 one-row requests, 32 at a time: each answer is its own row's probability
        using var gate = new SemaphoreSlim(32);
        var answers = await Task.WhenAll(Enumerable.Range(0, 200).Select(async r =>
        {
            await gate.WaitAsync();
            try
            {
                return (Row: r, Probability: (await ProbabilitiesAsync(_server.Http, "onnx", Split(r, 1)))[0]);
            }
            finally
            {
                gate.Release();
            }
        }));

        Assert.All(answers, a => Assert.True(Math.Abs(a.Probability - want[a.Row][0]) <= 1e-5, $"row {a.Row}: {a.Probability} vs {want[a.Row][0]}"));
        var served = _server.Get<ServedModels>().Loaded.Single(s => s.Reference == "models:/onnx@champion");
        var (rows, calls) = served.BatchCounters;
        Assert.True(rows >= 200);
        Assert.True(calls < rows, $"{calls} calls for {rows} rows: requests were not merged");

        using var show = await _server.Http.GetAsync("/api/kiln/deployments/onnx");
        var text = await show.Content.ReadAsStringAsync();
        Assert.Contains("\"flavor\":\"onnx\"", text, StringComparison.Ordinal);
        Assert.Contains("\"max_wait_ms\":5", text, StringComparison.Ordinal);
        Assert.Contains("mean_batch_rows", text, StringComparison.Ordinal);
    }
}
