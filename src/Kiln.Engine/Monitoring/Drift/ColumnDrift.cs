using Kiln.Engine.Data.Validation;

namespace Kiln.Engine.Monitoring.Drift;

/// <summary>One column's drift between a reference and a current window.</summary>
/// <param name="Column">The column.</param>
/// <param name="Kind"><c>numeric</c>, <c>categorical</c> (including numbers with ≤ 5 distinct values) or <c>binary</c>.</param>
/// <param name="Method">The test or distance used.</param>
/// <param name="Score">The p-value (tests) or distance.</param>
/// <param name="Threshold">The threshold it was held to.</param>
/// <param name="Drifted">p below the threshold (tests), or distance at or above it.</param>
/// <param name="ReferenceRows">Non-missing reference values.</param>
/// <param name="CurrentRows">Non-missing current values.</param>
/// <param name="Distribution">Both sides' shares per bin or category, for the report's chart.</param>
public sealed record ColumnDrift(string Column, string Kind, DriftMethod Method, double Score, double Threshold, bool Drifted, long ReferenceRows, long CurrentRows,
    Distribution Distribution);

/// <summary>A drift report: every column's drift and whether the data set as a whole drifted.</summary>
/// <param name="Columns">Per column, in the reference's order.</param>
/// <param name="DriftedShare">The share of columns that drifted.</param>
/// <param name="ShareThreshold">The share at which the data set counts as drifted (0.5 by default).</param>
/// <param name="Skipped">Columns not compared, with why (text columns, a side with no values).</param>
public sealed record DriftReport(IReadOnlyList<ColumnDrift> Columns, double DriftedShare, double ShareThreshold, IReadOnlyList<(string Column, string Reason)> Skipped)
{
    /// <summary>Whether the share of drifted columns reached the threshold.</summary>
    public bool DatasetDrifted => Columns.Count > 0 && DriftedShare >= ShareThreshold;
}

/// <summary>How to compare: per-column methods and thresholds, and the share of drifted columns that makes the data set drifted.</summary>
/// <param name="Methods">Column → method, overriding the automatic choice.</param>
/// <param name="Thresholds">Column → threshold, overriding the method's default.</param>
/// <param name="Method">One method for every column (per-column entries still win).</param>
/// <param name="ShareThreshold">Data set drift at this share of drifted columns.</param>
/// <param name="Columns">Only these columns (null: every column both sides have).</param>
public sealed record DriftOptions(
    IReadOnlyDictionary<string, DriftMethod>? Methods = null,
    IReadOnlyDictionary<string, double>? Thresholds = null,
    DriftMethod? Method = null,
    double ShareThreshold = 0.5,
    IReadOnlyList<string>? Columns = null)
{
    /// <summary>Evidently's defaults.</summary>
    public static DriftOptions Default { get; } = new();

    /// <summary>A threshold for every column without its own (null: each method's default).</summary>
    public double? DefaultThreshold { get; init; }
}
