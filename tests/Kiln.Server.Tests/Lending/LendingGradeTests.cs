using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Kiln.Core.Registry;
using Kiln.Engine.Examples;
using Kiln.Engine.Registry;
using Kiln.Engine.Registry.Gates;
using Kiln.Engine.Serving;
using Kiln.Engine.Training;
using Kiln.Learn.Data;
using Kiln.Tabular.Columns;
using Kiln.Tabular.Csv;
using Kiln.Testing;

namespace Kiln.Server.Tests.Lending;

/// <summary>
/// Issue 19's "done means", end to end on a real server: a loan model monotone in debt and income, calibrated, with a
/// threshold for 90 % precision; fairness across regions checked by a gate; served; a declined applicant's three main
/// reasons in the answer.
/// </summary>
public sealed class LendingGradeTests : IAsyncLifetime
{
    private KilnTestServer _server = null!;

    public async Task InitializeAsync() => _server = await KilnTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_monotone_calibrated_model_is_gated_on_fairness_served_and_explains_a_decline()
    {
        var dir = _server.Directory;
        string Data(string name, int rows, int seed)
        {
            var path = Path.Combine(dir, name);
            LoanApplicants.WriteFile(path, new LoanApplicantOptions(rows, Seed: seed));
            return path;
        }
        var (train, valid, holdout) = (Data("train.csv", 6000, 11), Data("valid.csv", 3000, 12), Data("holdout.csv", 2000, 13));
        var run = await _server.Get<TrainingSession>().RunAsync(new TrainRequest(train, "approved", "gbdt",
            new Dictionary<string, string> { ["rounds"] = "120", ["monotone"] = "debt_to_income:-1,income:+1" }, valid,
            Threshold: "precision=0.9", Calibrate: "isotonic"));
        var model = run.Model;
        Assert.Equal("isotonic", model.Calibrator!.Method);
        Assert.NotEqual(0.5, model.Schema.DecisionThreshold);
        Assert.InRange(run.Metrics["valid_precision"], 0.87, 1.0);

        // monotone along both constrained features, for every holdout row tried
        var rows = CsvReader.ReadFile(holdout);
        var output = new double[1];
        for (var r = 0; r < 150; r++)
        {
            var row = Row(model.Schema, rows, r);
            foreach (var (feature, sign, from, to) in new[] { ("debt_to_income", -1, 0.0, 1.2), ("income", +1, 10_000.0, 250_000.0) })
            {
                var f = model.Schema.IndexOf(feature);
                var previous = double.NaN;
                for (var v = from; v <= to; v += (to - from) / 60)
                {
                    row[f] = v;
                    model.Predict(row, output);
                    Assert.False(sign * (output[0] - previous) < -1e-12, $"row {r}: {feature} {v} moves the score against its constraint");
                    previous = output[0];
                }
            }
        }

        // register, gate on fairness across regions, promote and serve
        var registry = _server.Get<RegistryService>();
        await registry.CreateModelAsync("loan", null, []);
        var version = (await registry.CreateVersionAsync("loan", $"runs:/{run.RunId}/model", null, null, null, [], "ana")).Version;
        var gates = _server.Get<GateService>();
        await gates.SaveSpecAsync("loan", "slices: [region]\nchecks:\n  - roc_auc >= 0.75\n  - demographic_parity_ratio >= 0.5\n", "ana");
        var outcome = await gates.GateAsync("loan", version, holdout, null, null, "ana");
        var fairness = outcome.Checks.Single(c => c.Check == "demographic_parity_ratio >= 0.5");
        Assert.InRange(fairness.Candidate!.Value, 0, 1);
        Assert.True(outcome.Verdict.Passed, string.Join("; ", outcome.Checks.Select(c => $"{c.Check}: {c.Candidate}")));
        await registry.SetAliasAsync("loan", "champion", version.ToString(CultureInfo.InvariantCulture), new AliasChange("ana", "set", null));
        await _server.Get<DeploymentService>().CreateAsync("loan", [new("champion", "models:/loan@champion", 100, false)], "ana");

        // the riskiest holdout applicant, served with explain: declined, with three reasons that pulled the score down
        var probabilities = model.Predict(rows);
        var riskiest = Array.IndexOf(probabilities, probabilities.Min());
        var applicant = new Dictionary<string, object?>();
        foreach (var feature in model.Schema.Features)
        {
            var column = rows[feature.Name];
            applicant[feature.Name] = column is NumericColumn n ? n.GetValue(riskiest) : column.FormatValue(riskiest);
        }
        var body = JsonSerializer.Serialize(new { dataframe_records = new[] { applicant }, @params = new { explain = true } });
        using var response = await _server.Http.PostAsync("/deployments/loan/invocations", new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        using var answer = JsonDocument.Parse(text);
        var prediction = answer.RootElement.GetProperty("predictions")[0];
        Assert.Equal("0", prediction.GetProperty("prediction").GetString());
        Assert.Equal(probabilities[riskiest], prediction.GetProperty("probability").GetDouble(), 9); // calibrated, as served
        var reasons = answer.RootElement.GetProperty("explanations")[0].GetProperty("reasons").EnumerateArray().ToList();
        Assert.Equal(3, reasons.Count);
        Assert.All(reasons, reason => Assert.True(reason.GetProperty("contribution").GetDouble() < 0));
        Assert.All(reasons, reason => Assert.False(string.IsNullOrEmpty(reason.GetProperty("value").GetString())));
    }

    /// <summary>Row <paramref name="r"/> in the model's feature order (a category as its code).</summary>
    private static double[] Row(ModelSchema schema, Kiln.Tabular.Table rows, int r) =>
        [.. schema.Features.Select(f => rows[f.Name] switch
        {
            NumericColumn n => n.GetValue(r),
            var c => (double)f.Categories.ToList().IndexOf(c.FormatValue(r) ?? ""),
        })];
}
