using System.Globalization;
using System.Text;
using Kiln.Engine.Training;
using Kiln.Testing;

namespace Kiln.Engine.Tests.Training;

/// <summary><c>kiln train --weight COL</c>: the column is not a feature, the fit and the metrics are weighted.</summary>
public sealed class TrainingWeightsTests : KilnHostTest
{
    [Fact]
    public async Task A_weight_column_weighs_the_fit_and_the_metrics_and_is_not_a_feature()
    {
        var source = LoanData.Write(Dir, "t.csv", 1500, 81);
        var lines = await File.ReadAllLinesAsync(source);
        var weighted = new StringBuilder(lines[0] + ",w\n");
        for (var i = 1; i < lines.Length; i++)
        {
            weighted.Append(lines[i]).Append(',').Append((1 + (i % 3)).ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        var path = Path.Combine(Dir, "weighted.csv");
        await File.WriteAllTextAsync(path, weighted.ToString());
        var session = Host.Get<TrainingSession>();
        var result = await session.RunAsync(new TrainRequest(path, "approved", "gbdt", new Dictionary<string, string> { ["rounds"] = "20" }, Weight: "w"));
        Assert.DoesNotContain(result.Model.Schema.Features, f => f.Name == "w");
        Assert.Equal(Enumerable.Range(1, lines.Length - 1).Sum(i => 1 + (i % 3)), result.Metrics["train_weight_sum"]);
        var run = await Host.Get<Kiln.Engine.Tracking.ITracking>().GetRunAsync(result.RunId);
        Assert.Contains(run.Data.Params, p => p.Key == "weight_column" && p.Value == "w");

        // --features without the weight column keeps it for the fit
        var chosen = await session.RunAsync(new TrainRequest(path, "approved", "logistic", new Dictionary<string, string>(), Features: ["income", "debt"], Weight: "w",
            Task: "binary"));
        Assert.Equal(["income", "debt"], chosen.Model.Schema.Features.Select(f => f.Name));
        Assert.True(chosen.Metrics.ContainsKey("train_weight_sum"));

        var missing = await Assert.ThrowsAsync<Kiln.Core.Errors.KilnException>(() => session.RunAsync(new TrainRequest(path, "approved", "gbdt", new Dictionary<string, string>(), Weight: "weights")));
        Assert.Contains("--weight 'weights' is not a column", missing.Message);
    }
}
