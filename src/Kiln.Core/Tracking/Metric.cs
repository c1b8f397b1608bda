namespace Kiln.Core.Tracking;

/// <summary>One metric point. <see cref="Value"/> may be NaN or ±Infinity; timestamps are Unix milliseconds.</summary>
public readonly record struct Metric(string Key, double Value, long Timestamp, long Step);
