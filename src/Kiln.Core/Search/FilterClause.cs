namespace Kiln.Core.Search;

/// <summary>How a clause compares.</summary>
public enum Comparator
{
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Like,
    ILike,
    In,
    NotIn,
}

/// <summary>
/// One <c>entity.key OP value</c> clause. Exactly one of <see cref="Number"/>, <see cref="Text"/> or
/// <see cref="List"/> is set; attribute keys are canonical (aliases resolved).
/// </summary>
public sealed record FilterClause(SearchEntity Entity, string Key, Comparator Comparator, double? Number, string? Text, IReadOnlyList<string>? List);

/// <summary>One <c>entity.key [ASC|DESC]</c> ordering term.</summary>
public sealed record OrderByClause(SearchEntity Entity, string Key, bool Ascending);
