using System.Globalization;

namespace Kiln.Learn.Metrics;

/// <summary>
/// Chooses a binary classifier's decision threshold by a rule, from labelled probabilities (held-out data): <c>f1</c>
/// (the best F1), <c>precision=0.9</c> (the lowest threshold, so the most recall, whose precision reaches 0.9),
/// <c>recall=0.8</c> (the highest threshold, so the most precision, whose recall reaches 0.8), <c>cost=FP:FN</c> (the least
/// total cost of false positives and false negatives, e.g. <c>cost=1:5</c> when a missed default costs five wrong declines; a tie goes
/// to the highest threshold),
/// or a number (that threshold).
/// </summary>
public static class DecisionThresholds
{
    /// <summary>The threshold <paramref name="rule"/> picks on these labels (1 = positive) and probabilities.</summary>
    public static double Choose(string rule, IReadOnlyList<int> labels, IReadOnlyList<double> probabilities)
    {
        var text = rule.Trim().ToLowerInvariant();
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var fixedValue))
        {
            return fixedValue is > 0 and < 1 ? fixedValue : throw new LearnException($"Threshold {rule}: give a probability strictly between 0 and 1.");
        }
        var (name, value) = text.IndexOf('=') is var eq and > 0 ? (text[..eq], text[(eq + 1)..]) : (text, "");
        var cuts = Cuts(labels, probabilities);
        var positives = labels.Count(l => l == 1);
        if (positives == 0 || positives == labels.Count)
        {
            throw new LearnException("Choosing a threshold needs both classes in the data it is chosen on.");
        }
        switch (name)
        {
            case "f1":
                return cuts.MaxBy(c => 2.0 * c.TruePositives / ((2.0 * c.TruePositives) + c.FalsePositives + (positives - c.TruePositives))).Threshold;
            case "precision":
            {
                var target = Fraction(value, rule);
                var reaching = cuts.Where(c => c.TruePositives + c.FalsePositives > 0 && (double)c.TruePositives / (c.TruePositives + c.FalsePositives) >= target).ToList();
                return reaching.Count > 0 ? reaching.MinBy(c => c.Threshold).Threshold
                    : throw new LearnException($"No threshold reaches precision {value} on this data (the best is {cuts.Where(c => c.TruePositives + c.FalsePositives > 0).Max(c => (double)c.TruePositives / (c.TruePositives + c.FalsePositives)):F3}).");
            }
            case "recall":
            {
                var target = Fraction(value, rule);
                return cuts.Where(c => (double)c.TruePositives / positives >= target).MaxBy(c => c.Threshold).Threshold;
            }
            case "cost":
            {
                var parts = value.Split(':');
                if (parts.Length != 2 || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var fp)
                    || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var fn) || fp < 0 || fn < 0)
                {
                    throw new LearnException($"Threshold rule '{rule}': write cost=FP:FN with the cost of a false positive and of a false negative, e.g. cost=1:5.");
                }
                return cuts.MinBy(c => (fp * c.FalsePositives) + (fn * (positives - c.TruePositives))).Threshold;
            }
            default:
                throw new LearnException($"Unknown threshold rule '{rule}': use f1, precision=P, recall=R, cost=FP:FN or a probability.");
        }
    }

    private static double Fraction(string value, string rule) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v is > 0 and <= 1 ? v
            : throw new LearnException($"Threshold rule '{rule}': give a fraction between 0 and 1, e.g. precision=0.9.");

    /// <summary>Every distinct cut: predicting positive at or above each probability, with its true and false positives, and "none".</summary>
    private static List<(double Threshold, int TruePositives, int FalsePositives)> Cuts(IReadOnlyList<int> labels, IReadOnlyList<double> probabilities)
    {
        var order = Enumerable.Range(0, labels.Count).OrderByDescending(i => probabilities[i]).ToArray();
        var cuts = new List<(double, int, int)> { (Math.Clamp(Math.BitIncrement(probabilities[order[0]]), 1e-9, 1 - 1e-9), 0, 0) };
        var (tp, fp) = (0, 0);
        for (var k = 0; k < order.Length; k++)
        {
            if (labels[order[k]] == 1)
            {
                tp++;
            }
            else
            {
                fp++;
            }
            if (k + 1 == order.Length || probabilities[order[k + 1]] < probabilities[order[k]])
            {
                cuts.Add((Math.Clamp(probabilities[order[k]], 1e-9, 1 - 1e-9), tp, fp));
            }
        }
        return cuts;
    }
}
