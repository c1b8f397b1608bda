using Kiln.Core.Search;

namespace Kiln.Core.Tracking;

/// <summary>A parsed experiment search.</summary>
/// <param name="Filter">Clauses that must all hold (AND); empty matches everything.</param>
/// <param name="OrderBy">Ordering terms, first term first; empty means creation_time DESC.</param>
/// <param name="ViewType">Which lifecycle stages to include.</param>
/// <param name="MaxResults">Page size, 1 to 50,000 (<see cref="TrackingLimits.MaxSearchResults"/>).</param>
/// <param name="Offset">How many matching results to skip (decoded from the page token).</param>
public sealed record ExperimentQuery(
    IReadOnlyList<FilterClause> Filter,
    IReadOnlyList<OrderByClause> OrderBy,
    ViewType ViewType,
    int MaxResults,
    int Offset);

/// <summary>A parsed run search over some experiments.</summary>
/// <param name="ExperimentIds">The experiments to search in; none gives an empty page.</param>
/// <param name="Filter">Clauses that must all hold (AND); empty matches everything.</param>
/// <param name="OrderBy">Ordering terms, first term first; start_time DESC and then run id break ties.</param>
/// <param name="ViewType">Which lifecycle stages to include.</param>
/// <param name="MaxResults">Page size, 1 to 50,000 (<see cref="TrackingLimits.MaxSearchResults"/>).</param>
/// <param name="Offset">How many matching results to skip (decoded from the page token).</param>
public sealed record RunQuery(
    IReadOnlyList<string> ExperimentIds,
    IReadOnlyList<FilterClause> Filter,
    IReadOnlyList<OrderByClause> OrderBy,
    ViewType ViewType,
    int MaxResults,
    int Offset);
