namespace Kiln.Core.Tracking;

/// <summary>A run parameter: written once, immutable afterwards.</summary>
/// <param name="Key">The param's name (at most 250 characters).</param>
/// <param name="Value">The param's value, as a string (at most 6,000 characters).</param>
public sealed record Param(string Key, string Value);
