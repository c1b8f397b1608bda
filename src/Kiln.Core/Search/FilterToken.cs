namespace Kiln.Core.Search;

/// <summary>Kinds of token in a search filter.</summary>
public enum FilterTokenKind
{
    /// <summary>A key: bare (<c>status</c>), prefixed (<c>metrics.rmse</c>) or backtick-quoted.</summary>
    Identifier,
    /// <summary>A quoted string value, quotes removed (<c>'a'</c> or <c>"a"</c>).</summary>
    String,
    /// <summary>A numeric literal, kept as written.</summary>
    Number,
    /// <summary>A comparison operator: =, !=, &lt;, &lt;=, &gt;, &gt;=.</summary>
    Operator,
    /// <summary>AND, OR, LIKE, ILIKE, IN, NOT, IS or NULL (upper-cased).</summary>
    Keyword,
    /// <summary><c>(</c>, opening an IN list.</summary>
    OpenParen,
    /// <summary><c>)</c>, closing an IN list.</summary>
    CloseParen,
    /// <summary><c>,</c> between IN list values.</summary>
    Comma,
    /// <summary>The end of the filter text (always the last token).</summary>
    End,
}

/// <summary>A token and where it starts (0-based) in the filter text.</summary>
/// <param name="Kind">What kind of token this is.</param>
/// <param name="Text">The token's text: unquoted for strings and quoted keys, the key alone (without prefix) for prefixed identifiers.</param>
/// <param name="Position">The 0-based character offset where the token starts in the filter text.</param>
public readonly record struct FilterToken(FilterTokenKind Kind, string Text, int Position)
{
    /// <summary>An identifier's entity prefix (before the first dot), or null for a bare name.</summary>
    public string? Prefix { get; init; }

    /// <summary>The token as the user wrote it (entity prefix included), for messages.</summary>
    public string Display => Prefix is null ? Text : $"{Prefix}.{Text}";

    /// <summary>The token for error messages: quoted <see cref="Display"/>, or "end of filter".</summary>
    public override string ToString() => Kind == FilterTokenKind.End ? "end of filter" : $"'{Display}'";
}
