namespace Kiln.Core.Tracking;

/// <summary>One page of results and the opaque token for the next page (null when there is none).</summary>
/// <typeparam name="T">The result type, e.g. <see cref="Run"/> or <see cref="Experiment"/>.</typeparam>
/// <param name="Items">The results on this page.</param>
/// <param name="NextPageToken">Pass this back to get the next page; null on the last page.</param>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextPageToken);
