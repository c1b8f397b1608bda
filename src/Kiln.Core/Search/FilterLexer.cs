using System.Globalization;
using System.Text;
using Kiln.Core.Errors;

namespace Kiln.Core.Search;

/// <summary>Splits MLflow's filter grammar into tokens: quoted keys (backticks or double quotes), strings, numbers, operators.</summary>
public static class FilterLexer
{
    private static readonly HashSet<string> Keywords = new(StringComparer.OrdinalIgnoreCase) { "AND", "OR", "LIKE", "ILIKE", "IN", "NOT", "IS", "NULL" };

    /// <summary>
    /// Splits <paramref name="filter"/> into tokens, always ending with one <see cref="FilterTokenKind.End"/> token.
    /// <c>entity.key</c> becomes one identifier with its <see cref="FilterToken.Prefix"/>; keywords are upper-cased;
    /// <c>&lt;&gt;</c> becomes <c>!=</c>. Throws INVALID_PARAMETER_VALUE naming the bad token and its position.
    /// </summary>
    public static List<FilterToken> Tokenize(string filter)
    {
        var tokens = new List<FilterToken>();
        var i = 0;
        while (true)
        {
            while (i < filter.Length && char.IsWhiteSpace(filter[i]))
            {
                i++;
            }
            if (i >= filter.Length)
            {
                tokens.Add(new FilterToken(FilterTokenKind.End, "", i));
                return tokens;
            }
            var start = i;
            var c = filter[i];
            if (c == '\'' || (c == '"' && !PreviousIsDot(filter, i)))
            {
                tokens.Add(new FilterToken(FilterTokenKind.String, ReadQuoted(filter, ref i, c), start));
            }
            else if (c == '(')
            {
                tokens.Add(new FilterToken(FilterTokenKind.OpenParen, "(", start));
                i++;
            }
            else if (c == ')')
            {
                tokens.Add(new FilterToken(FilterTokenKind.CloseParen, ")", start));
                i++;
            }
            else if (c == ',')
            {
                tokens.Add(new FilterToken(FilterTokenKind.Comma, ",", start));
                i++;
            }
            else if (c is '=' or '!' or '<' or '>')
            {
                var op = i + 1 < filter.Length && filter[i + 1] == '=' ? filter.Substring(i, 2) : (c == '<' && i + 1 < filter.Length && filter[i + 1] == '>' ? "<>" : c.ToString());
                if (op == "!" || op == "==")
                {
                    throw Error(filter, op, start, "use one of =, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN");
                }
                tokens.Add(new FilterToken(FilterTokenKind.Operator, op == "<>" ? "!=" : op, start));
                i += op.Length;
            }
            else if (char.IsDigit(c) || ((c == '-' || c == '+' || c == '.') && i + 1 < filter.Length && (char.IsDigit(filter[i + 1]) || filter[i + 1] == '.')))
            {
                i++;
                while (i < filter.Length)
                {
                    var ch = filter[i];
                    if (char.IsDigit(ch) || ch is '.' or 'e' or 'E' || (ch is '+' or '-' && filter[i - 1] is 'e' or 'E'))
                    {
                        i++;
                    }
                    else
                    {
                        break;
                    }
                }
                var text = filter[start..i];
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                {
                    throw Error(filter, text, start, "it is not a number");
                }
                tokens.Add(new FilterToken(FilterTokenKind.Number, text, start));
            }
            else if (char.IsLetter(c) || c is '_' or '`')
            {
                tokens.Add(ReadIdentifier(filter, ref i));
            }
            else
            {
                throw Error(filter, c.ToString(), start, "unexpected character");
            }
        }
    }

    internal static KilnException Error(string filter, string token, int position, string why) =>
        KilnException.Invalid(token.Length == 0
            ? $"Invalid filter '{filter}': unexpected end of filter at position {position}: {why}."
            : $"Invalid filter '{filter}': unexpected token '{token}' at position {position}: {why}.");

    private static bool PreviousIsDot(string filter, int i) => i > 0 && filter[i - 1] == '.';

    private static FilterToken ReadIdentifier(string filter, ref int i)
    {
        var start = i;
        if (filter[i] == '`')
        {
            return new FilterToken(FilterTokenKind.Identifier, ReadQuoted(filter, ref i, '`'), start);
        }
        while (i < filter.Length && (char.IsLetterOrDigit(filter[i]) || filter[i] == '_'))
        {
            i++;
        }
        var word = filter[start..i];
        if (i < filter.Length && filter[i] == '.')
        {
            i++;
            string key;
            if (i < filter.Length && filter[i] is '`' or '"')
            {
                key = ReadQuoted(filter, ref i, filter[i]);
            }
            else
            {
                var keyStart = i;
                while (i < filter.Length && !char.IsWhiteSpace(filter[i]) && filter[i] is not ('=' or '!' or '<' or '>' or '(' or ')' or ',' or '\'' or '"'))
                {
                    i++;
                }
                key = filter[keyStart..i];
                if (key.Length == 0)
                {
                    throw Error(filter, word + ".", start, "a key must follow the entity prefix");
                }
            }
            return new FilterToken(FilterTokenKind.Identifier, key, start) { Prefix = word };
        }
        return Keywords.Contains(word)
            ? new FilterToken(FilterTokenKind.Keyword, word.ToUpperInvariant(), start)
            : new FilterToken(FilterTokenKind.Identifier, word, start);
    }

    private static string ReadQuoted(string filter, ref int i, char quote)
    {
        var start = i;
        i++;
        var sb = new StringBuilder();
        while (i < filter.Length)
        {
            if (filter[i] == quote)
            {
                // A doubled quote inside the string stands for one quote character.
                if (i + 1 < filter.Length && filter[i + 1] == quote)
                {
                    sb.Append(quote);
                    i += 2;
                    continue;
                }
                i++;
                return sb.ToString();
            }
            if (filter[i] == '\\' && i + 1 < filter.Length && filter[i + 1] == quote)
            {
                sb.Append(quote);
                i += 2;
                continue;
            }
            sb.Append(filter[i]);
            i++;
        }
        throw Error(filter, filter[start..], start, $"the quote {quote} is never closed");
    }
}
