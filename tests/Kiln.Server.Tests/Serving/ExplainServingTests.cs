using System.Net;
using System.Text;
using System.Text.Json;
using Kiln.Testing;

namespace Kiln.Server.Tests.Serving;

/// <summary>Explanations in a served answer: <c>explain: true</c> over MLflow's protocol and the Open Inference Protocol.</summary>
public sealed class ExplainServingTests : IAsyncLifetime
{
    private KilnTestServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await KilnTestServer.StartAsync();
        await LoanDeployment.CreateAsync(_server);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string path, string body)
    {
        using var response = await _server.Http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, doc.RootElement.Clone());
    }

    private static double Logit(double p) => Math.Log(p / (1 - p));

    [Fact]
    public async Task A_declined_applicant_gets_the_reasons_that_pulled_the_score_down_and_the_contributions_sum_to_it()
    {
        var (status, body) = await PostAsync("/deployments/loan/invocations",
            """{"dataframe_split": {"columns": ["income", "debt", "region"], "data": [[0.1, 0.9, "south"], [0.9, 0.1, "north"]]}, "params": {"explain": true, "explain_top": 2}}""");
        Assert.Equal(HttpStatusCode.OK, status);
        var predictions = body.GetProperty("predictions").EnumerateArray().ToList();
        var explanations = body.GetProperty("explanations").EnumerateArray().ToList();
        Assert.Equal(2, explanations.Count);
        for (var r = 0; r < 2; r++)
        {
            var e = explanations[r];
            var sum = e.GetProperty("bias").GetDouble() + e.GetProperty("contributions").EnumerateObject().Sum(c => c.Value.GetDouble());
            Assert.Equal(Logit(predictions[r].GetProperty("probability").GetDouble()), sum, 6);
        }
        // the poor applicant is declined: the reasons are features that pushed the score down, most first, with their values
        Assert.Equal("0", predictions[0].GetProperty("prediction").GetString());
        var reasons = explanations[0].GetProperty("reasons").EnumerateArray().ToList();
        Assert.InRange(reasons.Count, 1, 2);
        Assert.All(reasons, reason => Assert.True(reason.GetProperty("contribution").GetDouble() < 0));
        Assert.True(reasons[0].GetProperty("contribution").GetDouble() <= reasons[^1].GetProperty("contribution").GetDouble());
        var first = reasons[0].GetProperty("feature").GetString()!;
        var value = reasons[0].GetProperty("value").GetString();
        Assert.Equal(first switch { "income" => "0.1", "debt" => "0.9", _ => "south" }, value);

        // top-level "explain" works too; without it the answer is unchanged
        var (_, plain) = await PostAsync("/deployments/loan/invocations", LoanDeployment.Records([(0.1, 0.9, "south")]));
        Assert.False(plain.TryGetProperty("explanations", out _));
        var (_, top) = await PostAsync("/deployments/loan/invocations", """{"dataframe_records": [{"income": 0.1, "debt": 0.9, "region": "south"}], "explain": true}""");
        Assert.Equal(3, top.GetProperty("explanations")[0].GetProperty("contributions").EnumerateObject().Count());

        var (bad, error) = await PostAsync("/deployments/loan/invocations", """{"dataframe_records": [{"income": 0.1, "debt": 0.9, "region": "south"}], "explain": "yes"}""");
        Assert.Equal(HttpStatusCode.BadRequest, bad);
        Assert.Contains("true or false", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task The_inference_protocol_answers_contribution_and_reason_tensors()
    {
        var (status, body) = await PostAsync("/v2/models/loan/infer", """
            {"id": "q1", "parameters": {"explain": true},
             "inputs": [{"name": "income", "datatype": "FP64", "shape": [2], "data": [0.1, 0.9]},
                        {"name": "debt", "datatype": "FP64", "shape": [2], "data": [0.9, 0.1]},
                        {"name": "region", "datatype": "BYTES", "shape": [2], "data": ["south", "north"]}]}
            """);
        Assert.Equal(HttpStatusCode.OK, status);
        var outputs = body.GetProperty("outputs").EnumerateArray().ToDictionary(o => o.GetProperty("name").GetString()!);
        var contributions = outputs["contributions"];
        Assert.Equal([2, 4], contributions.GetProperty("shape").EnumerateArray().Select(s => s.GetInt32()));
        Assert.Equal("income,debt,region,bias", contributions.GetProperty("parameters").GetProperty("columns").GetString());
        var data = contributions.GetProperty("data").EnumerateArray().Select(d => d.GetDouble()).ToArray();
        var probability = outputs.Values.First(o => o.GetProperty("datatype").GetString() == "FP64" && o.GetProperty("name").GetString() != "contributions")
            .GetProperty("data").EnumerateArray().Select(d => d.GetDouble()).ToArray();
        Assert.Equal(Logit(probability[0]), data[..4].Sum(), 6);
        var reasons = outputs["reasons"];
        Assert.Equal([2, 3], reasons.GetProperty("shape").EnumerateArray().Select(s => s.GetInt32()));
        Assert.Matches(@"^(income|debt|region)=\S+ \(-", reasons.GetProperty("data")[0].GetString());
    }
}
