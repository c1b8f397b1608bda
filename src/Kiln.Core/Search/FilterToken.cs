namespace Kiln.Core.Search;

/// <summary>Kinds of token in a search filter.</summary>
public enum FilterTokenKind
{
    Identifier,
    String,
    Number,
    Operator,
    Keyword,
    OpenParen,
    CloseParen,
    Comma,
    End,
}

/// <summary>A token and where it starts (0-based) in the filter text.</summary>
public readonly record struct FilterToken(FilterTokenKind Kind, string Text, int Position)
{
    /// <summary>An identifier's entity prefix (before the first dot), or null for a bare name.</summary>
    public string? Prefix { get; init; }

    /// <summary>The token as the user wrote it (entity prefix included), for messages.</summary>
    public string Display => Prefix is null ? Text : $"{Prefix}.{Text}";

    public override string ToString() => Kind == FilterTokenKind.End ? "end of filter" : $"'{Display}'";
}
