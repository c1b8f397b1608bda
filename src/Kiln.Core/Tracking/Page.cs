namespace Kiln.Core.Tracking;

/// <summary>One page of results and the opaque token for the next page (null when there is none).</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextPageToken);
