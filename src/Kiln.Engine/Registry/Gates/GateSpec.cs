using System.Globalization;
using System.Text.RegularExpressions;
using Kiln.Core.Errors;
using Kiln.Core.Registry;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Kiln.Engine.Registry.Gates;

/// <summary>
/// A promotion gate, as YAML:
/// <code>
/// alias: champion              # the alias it guards
/// requires_approval: false     # true: a promotion waits for a second person's kiln models approve
/// slices: [region]             # columns for per-slice metrics (needed by slice_gap)
/// checks:
///   - roc_auc >= 0.80                  # absolute
///   - slice_gap(recall) &lt;= 0.05        # the largest difference between two slices
///   - roc_auc >= champion - 0.002      # relative to the alias's current holder on the same data
///   - log_loss &lt;= champion - 0.001     # must improve by 0.001
/// </code>
/// </summary>
public sealed partial class GateSpec
{
    /// <summary>Every metric a check may name.</summary>
    public static IReadOnlySet<string> Metrics { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "accuracy", "precision", "recall", "f1", "roc_auc", "pr_auc", "log_loss", "brier_score", "positive_rate",
        "f1_macro", "f1_weighted", "precision_macro", "recall_macro", "rmse", "mae", "r2", "mape",
        "demographic_parity_difference", "demographic_parity_ratio", "equal_opportunity_difference", "equalized_odds_difference", "calibration_gap",
        "selection_rate", "tpr", "fpr", "observed_rate", "mean_score",
    };

    /// <summary>The alias the gate guards.</summary>
    public string Alias { get; set; } = "champion";

    /// <summary>Whether a promotion waits for approval.</summary>
    public bool RequiresApproval { get; set; }

    /// <summary>Slice columns for the evaluation.</summary>
    public List<string> Slices { get; set; } = [];

    /// <summary>The checks as written.</summary>
    public List<string> Checks { get; set; } = [];

    /// <summary>The parsed checks.</summary>
    [YamlIgnore]
    public IReadOnlyList<GateCheck> Parsed { get; private set; } = [];

    private static readonly IDeserializer Reader = new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build();

    /// <summary>Reads and checks a spec; a clear error names the line or the check and what is wrong.</summary>
    public static GateSpec Parse(string yaml, string source)
    {
        GateSpec? spec;
        try
        {
            spec = Reader.Deserialize<GateSpec>(yaml);
        }
        catch (YamlException e)
        {
            throw KilnException.Invalid($"Invalid gate spec {source} at line {e.Start.Line}, column {e.Start.Column}: {e.InnerException?.Message ?? e.Message}");
        }
        if (spec is null || spec.Checks.Count == 0)
        {
            throw KilnException.Invalid($"The gate spec {source} has no checks: list them under checks:, e.g. '- roc_auc >= 0.80'.");
        }
        RegistryValidation.Alias(spec.Alias);
        spec.Parsed = [.. spec.Checks.Select((c, i) => GateCheck.Parse(c, i, spec))];
        return spec;
    }
}

/// <summary>One check: <c>METRIC OP NUMBER</c>, <c>slice_gap(METRIC) OP NUMBER</c> or <c>METRIC OP HOLDER [± NUMBER]</c>.</summary>
/// <param name="Text">As written.</param>
/// <param name="Metric">The metric.</param>
/// <param name="SliceGap">Whether the check bounds the largest slice gap of the metric.</param>
/// <param name="Operator">&gt;=, &lt;=, &gt; or &lt;.</param>
/// <param name="Relative">Whether the bound is the current holder's value (plus <see cref="Value"/>).</param>
/// <param name="Value">The threshold, or the offset from the holder's value.</param>
public sealed partial record GateCheck(string Text, string Metric, bool SliceGap, string Operator, bool Relative, double Value)
{
    /// <summary>Parses check number <paramref name="index"/> of a spec.</summary>
    public static GateCheck Parse(string text, int index, GateSpec spec)
    {
        var match = Expression().Match(text ?? "");
        if (!match.Success)
        {
            throw KilnException.Invalid(
                $"Check {index + 1} '{text}' is not a check: write 'roc_auc >= 0.80', 'slice_gap(recall) <= 0.05' or 'roc_auc >= {spec.Alias} - 0.002'.");
        }
        var gap = match.Groups["gap"].Success;
        var metric = gap ? match.Groups["gap"].Value : match.Groups["metric"].Value;
        if (!GateSpec.Metrics.Contains(metric))
        {
            throw KilnException.Invalid($"Check {index + 1} '{text}' names the unknown metric '{metric}'. Known metrics: {string.Join(", ", GateSpec.Metrics.Order(StringComparer.Ordinal))}.");
        }
        if (gap && spec.Slices.Count == 0)
        {
            throw KilnException.Invalid($"Check {index + 1} '{text}' bounds a slice gap, but the spec has no slices: add 'slices: [COLUMN]'.");
        }
        var reference = match.Groups["ref"].Value;
        if (reference.Length > 0 && reference != "champion" && reference != "current" && reference != spec.Alias)
        {
            throw KilnException.Invalid($"Check {index + 1} '{text}' compares with '{reference}': compare with the alias the gate guards ('{spec.Alias}', or 'current').");
        }
        var relative = reference.Length > 0;
        var number = match.Groups["number"].Success ? double.Parse(match.Groups["number"].Value, CultureInfo.InvariantCulture) : 0;
        if (relative && match.Groups["sign"].Value == "-")
        {
            number = -number;
        }
        return new GateCheck(text!.Trim(), metric, gap, match.Groups["op"].Value, relative, number);
    }

    /// <summary>Whether <paramref name="candidate"/> passes against <paramref name="bound"/>.</summary>
    public bool Holds(double candidate, double bound) => Operator switch
    {
        ">=" => candidate >= bound,
        "<=" => candidate <= bound,
        ">" => candidate > bound,
        _ => candidate < bound,
    };

    [GeneratedRegex(@"^\s*(?:slice_gap\(\s*(?<gap>[a-z0-9_]+)\s*\)|(?<metric>[a-z0-9_]+))\s*(?<op>>=|<=|>|<)\s*(?:(?<ref>[A-Za-z_][\w\-]*)\s*(?:(?<sign>[+-])\s*(?<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?))?|(?<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?))\s*$")]
    private static partial Regex Expression();
}
