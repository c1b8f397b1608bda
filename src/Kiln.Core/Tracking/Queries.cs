using Kiln.Core.Search;

namespace Kiln.Core.Tracking;

/// <summary>A parsed experiment search.</summary>
public sealed record ExperimentQuery(
    IReadOnlyList<FilterClause> Filter,
    IReadOnlyList<OrderByClause> OrderBy,
    ViewType ViewType,
    int MaxResults,
    int Offset);

/// <summary>A parsed run search over some experiments.</summary>
public sealed record RunQuery(
    IReadOnlyList<string> ExperimentIds,
    IReadOnlyList<FilterClause> Filter,
    IReadOnlyList<OrderByClause> OrderBy,
    ViewType ViewType,
    int MaxResults,
    int Offset);
