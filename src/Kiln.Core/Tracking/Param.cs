namespace Kiln.Core.Tracking;

/// <summary>A run parameter: written once, immutable afterwards.</summary>
public sealed record Param(string Key, string Value);
