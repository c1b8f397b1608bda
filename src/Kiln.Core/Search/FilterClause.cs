namespace Kiln.Core.Search;

/// <summary>How a clause compares.</summary>
public enum Comparator
{
    /// <summary><c>=</c>: equal (numbers or strings).</summary>
    Equal,
    /// <summary><c>!=</c> (or <c>&lt;&gt;</c>): not equal (numbers or strings).</summary>
    NotEqual,
    /// <summary><c>&lt;</c>: less than (numeric keys only).</summary>
    Less,
    /// <summary><c>&lt;=</c>: less than or equal (numeric keys only).</summary>
    LessOrEqual,
    /// <summary><c>&gt;</c>: greater than (numeric keys only).</summary>
    Greater,
    /// <summary><c>&gt;=</c>: greater than or equal (numeric keys only).</summary>
    GreaterOrEqual,
    /// <summary><c>LIKE</c>: case-sensitive SQL pattern, <c>%</c> any run of characters, <c>_</c> one character (string keys only).</summary>
    Like,
    /// <summary><c>ILIKE</c>: case-insensitive <see cref="Like"/> (string keys only).</summary>
    ILike,
    /// <summary><c>IN ('a', 'b')</c>: equal to one of a list of strings (string keys only).</summary>
    In,
    /// <summary><c>NOT IN ('a', 'b')</c>: equal to none of a list of strings (string keys only).</summary>
    NotIn,
}

/// <summary>
/// One <c>entity.key OP value</c> clause. Exactly one of <see cref="Number"/>, <see cref="Text"/> or
/// <see cref="List"/> is set; attribute keys are canonical (aliases resolved).
/// </summary>
/// <param name="Entity">What <paramref name="Key"/> names: a metric, param, tag, attribute or dataset field.</param>
/// <param name="Key">The metric, param or tag key; the canonical attribute name (e.g. <c>start_time</c>); or a dataset key (name, digest, context).</param>
/// <param name="Comparator">How the value is compared.</param>
/// <param name="Number">The value for metrics and numeric attributes (timestamps in Unix milliseconds), else null.</param>
/// <param name="Text">The value for string keys with =, !=, LIKE or ILIKE, else null.</param>
/// <param name="List">The values for IN and NOT IN, else null.</param>
public sealed record FilterClause(SearchEntity Entity, string Key, Comparator Comparator, double? Number, string? Text, IReadOnlyList<string>? List);

/// <summary>One <c>entity.key [ASC|DESC]</c> ordering term.</summary>
/// <param name="Entity">What <paramref name="Key"/> names: a metric, param, tag or attribute.</param>
/// <param name="Key">The metric, param or tag key, or the canonical attribute name.</param>
/// <param name="Ascending">True for ASC (the default when neither is written), false for DESC.</param>
public sealed record OrderByClause(SearchEntity Entity, string Key, bool Ascending);
