namespace Kiln.Core.Tracking;

/// <summary>One metric point. <see cref="Value"/> may be NaN or ±Infinity; timestamps are Unix milliseconds.</summary>
/// <param name="Key">The metric's name (at most 250 characters).</param>
/// <param name="Value">The measured value.</param>
/// <param name="Timestamp">When the value was recorded, in Unix milliseconds.</param>
/// <param name="Step">The training step (e.g. epoch or iteration) the value belongs to; 0 when not given.</param>
public readonly record struct Metric(string Key, double Value, long Timestamp, long Step);
