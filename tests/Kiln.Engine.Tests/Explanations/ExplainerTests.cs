using System.Globalization;
using Kiln.Engine.Explanations;
using Kiln.Engine.Training;
using Kiln.Tabular.Csv;
using Kiln.Tabular.Columns;
using Kiln.Testing;

namespace Kiln.Engine.Tests.Explanations;

/// <summary>Explanations of a logistic model: contributions and bias sum to each row's log-odds; reasons follow the decision.</summary>
public sealed class ExplainerTests : KilnHostTest
{
    [Fact]
    public async Task Contributions_sum_to_the_log_odds_and_a_declines_reasons_are_what_pulled_it_down_most()
    {
        var train = LoanData.Write(Dir, "t.csv", 1500, 51);
        var rows = LoanData.Write(Dir, "r.csv", 200, 52);
        var result = await Host.Get<TrainingSession>().RunAsync(new TrainRequest(train, "approved", "logistic", new Dictionary<string, string> { ["lambda"] = "0" }));
        var model = result.Model;
        var input = CsvReader.ReadFile(rows);
        var explanation = Explainer.Explain(model, input, top: 2);
        var (output, importance) = (explanation.Output, explanation.Importance);
        var probabilities = model.Predict(input);
        var features = model.Schema.Features.Select(f => f.Name).ToList();
        var declines = 0;
        for (var r = 0; r < input.RowCount; r++)
        {
            var contributions = features.Select(f => ((Float64Column)output["contrib_" + f]).Values[r]).ToArray();
            var logit = contributions.Sum() + ((Float64Column)output["contrib_bias"]).Values[r];
            Assert.Equal(probabilities[r], 1 / (1 + Math.Exp(-logit)), 12); // compared as probabilities: a logit near certainty loses digits
            if (probabilities[r] < model.Schema.DecisionThreshold)
            {
                declines++;
                var most = Array.IndexOf(contributions, contributions.Min());
                Assert.StartsWith(features[most] + "=", output["reason_1"].FormatValue(r), StringComparison.Ordinal);
                var shown = double.Parse(output["reason_1"].FormatValue(r)!.Split('(')[1].TrimEnd(')'), CultureInfo.InvariantCulture);
                Assert.True(shown < 0);
            }
        }
        Assert.True(declines > 10, $"{declines} declines");
        Assert.Equal(features.Count, importance.Count);
        Assert.True(importance[0].MeanAbsContribution >= importance[^1].MeanAbsContribution);

        // trees explain too (TreeSHAP): the contributions sum to each row's log-odds
        var gbdt = await Host.Get<TrainingSession>().RunAsync(new TrainRequest(train, "approved", "gbdt", new Dictionary<string, string> { ["rounds"] = "30" }));
        var trees = Explainer.Explain(gbdt.Model, input, top: 3);
        var treeProbabilities = gbdt.Model.Predict(input);
        for (var r = 0; r < input.RowCount; r++)
        {
            var logit = features.Sum(f => ((Float64Column)trees.Output["contrib_" + f]).Values[r]) + trees.Bias[r];
            Assert.Equal(treeProbabilities[r], 1 / (1 + Math.Exp(-logit)), 6);
        }
        Assert.True(trees.Importance[0].MeanAbsContribution > 0);
    }
}
