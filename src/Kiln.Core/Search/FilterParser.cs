using System.Globalization;
using Kiln.Core.Errors;

namespace Kiln.Core.Search;

/// <summary>
/// Parses MLflow's search grammar: <c>clause AND clause …</c>, each clause <c>entity.key OP value</c>,
/// and order-by terms <c>entity.key [ASC|DESC]</c>. Errors name the offending token.
/// </summary>
public static class FilterParser
{
    /// <summary>Parses a filter string (null or blank means no filter).</summary>
    public static IReadOnlyList<FilterClause> ParseFilter(string? filter, SearchSchema schema)
    {
        if (string.IsNullOrWhiteSpace(filter))
        {
            return [];
        }
        var tokens = FilterLexer.Tokenize(filter);
        var clauses = new List<FilterClause>();
        var i = 0;
        while (true)
        {
            clauses.Add(ParseClause(filter, tokens, ref i, schema));
            var next = tokens[i];
            if (next.Kind == FilterTokenKind.End)
            {
                return clauses;
            }
            if (next.Kind == FilterTokenKind.Keyword && next.Text == "AND")
            {
                i++;
                continue;
            }
            var why = next.Kind == FilterTokenKind.Keyword && next.Text == "OR" ? "OR is not supported; combine clauses with AND" : "expected AND or the end of the filter";
            throw FilterLexer.Error(filter, next.Display, next.Position, why);
        }
    }

    /// <summary>Parses order-by terms such as <c>metrics.rmse ASC</c> or <c>attributes.start_time DESC</c>.</summary>
    public static IReadOnlyList<OrderByClause> ParseOrderBy(IEnumerable<string>? orderBy, SearchSchema schema)
    {
        var result = new List<OrderByClause>();
        foreach (var term in orderBy ?? [])
        {
            if (string.IsNullOrWhiteSpace(term))
            {
                continue;
            }
            var tokens = FilterLexer.Tokenize(term);
            var identifier = tokens[0];
            if (identifier.Kind != FilterTokenKind.Identifier)
            {
                throw InvalidOrderBy(term, identifier);
            }
            var (entity, key) = Resolve(term, identifier, schema, forOrderBy: true);
            var ascending = true;
            var i = 1;
            if (tokens[i].Kind == FilterTokenKind.Identifier && tokens[i].Prefix is null &&
                tokens[i].Text.ToUpperInvariant() is "ASC" or "DESC")
            {
                ascending = tokens[i].Text.Equals("ASC", StringComparison.OrdinalIgnoreCase);
                i++;
            }
            if (tokens[i].Kind != FilterTokenKind.End)
            {
                throw InvalidOrderBy(term, tokens[i]);
            }
            result.Add(new OrderByClause(entity, key, ascending));
        }
        return result;
    }

    private static KilnException InvalidOrderBy(string term, FilterToken token) =>
        KilnException.Invalid($"Invalid order_by clause '{term}': unexpected token {token}. Use 'entity.key [ASC|DESC]', e.g. 'metrics.rmse ASC'.");

    private static FilterClause ParseClause(string filter, List<FilterToken> tokens, ref int i, SearchSchema schema)
    {
        var identifier = tokens[i];
        if (identifier.Kind != FilterTokenKind.Identifier)
        {
            throw FilterLexer.Error(filter, identifier.Display, identifier.Position, "expected a key such as metrics.accuracy, params.alpha, tags.team or attributes.status");
        }
        var (entity, key) = Resolve(filter, identifier, schema, forOrderBy: false);
        i++;
        var comparator = ParseComparator(filter, tokens, ref i);
        var numeric = entity == SearchEntity.Metric || (entity == SearchEntity.Attribute && schema.IsNumericAttribute(key));
        var valueToken = tokens[i];
        if (numeric)
        {
            if (comparator is Comparator.Like or Comparator.ILike or Comparator.In or Comparator.NotIn)
            {
                throw FilterLexer.Error(filter, tokens[i - 1].Text, tokens[i - 1].Position, $"'{identifier.Text}' is numeric; use one of =, !=, <, <=, >, >=");
            }
            if (valueToken.Kind != FilterTokenKind.Number)
            {
                throw FilterLexer.Error(filter, valueToken.Display, valueToken.Position, $"'{identifier.Text}' is numeric, so the value must be a number");
            }
            i++;
            return new FilterClause(entity, key, comparator, double.Parse(valueToken.Text, CultureInfo.InvariantCulture), null, null);
        }
        if (comparator is Comparator.Less or Comparator.LessOrEqual or Comparator.Greater or Comparator.GreaterOrEqual)
        {
            throw FilterLexer.Error(filter, tokens[i - 1].Text, tokens[i - 1].Position, $"'{identifier.Text}' is a string; use one of =, !=, LIKE, ILIKE, IN, NOT IN");
        }
        if (comparator is Comparator.In or Comparator.NotIn)
        {
            return new FilterClause(entity, key, comparator, null, null, ParseList(filter, tokens, ref i));
        }
        if (valueToken.Kind != FilterTokenKind.String)
        {
            throw FilterLexer.Error(filter, valueToken.Display, valueToken.Position, $"'{identifier.Text}' is a string, so the value must be quoted, e.g. '{valueToken.Text}'");
        }
        i++;
        return new FilterClause(entity, key, comparator, null, valueToken.Text, null);
    }

    private static List<string> ParseList(string filter, List<FilterToken> tokens, ref int i)
    {
        if (tokens[i].Kind != FilterTokenKind.OpenParen)
        {
            throw FilterLexer.Error(filter, tokens[i].Display, tokens[i].Position, "IN needs a parenthesised list, e.g. ('a', 'b')");
        }
        i++;
        var values = new List<string>();
        while (true)
        {
            var token = tokens[i];
            if (token.Kind != FilterTokenKind.String)
            {
                throw FilterLexer.Error(filter, token.Display, token.Position, "expected a quoted string in the IN list");
            }
            values.Add(token.Text);
            if (values.Count > Tracking.TrackingLimits.MaxInListValues)
            {
                throw FilterLexer.Error(filter, token.Display, token.Position,
                    $"an IN list may hold at most {Tracking.TrackingLimits.MaxInListValues} values; split the search or use LIKE");
            }
            i++;
            if (tokens[i].Kind == FilterTokenKind.Comma)
            {
                i++;
                continue;
            }
            if (tokens[i].Kind == FilterTokenKind.CloseParen)
            {
                i++;
                return values;
            }
            throw FilterLexer.Error(filter, tokens[i].Display, tokens[i].Position, "expected ',' or ')' in the IN list");
        }
    }

    private static Comparator ParseComparator(string filter, List<FilterToken> tokens, ref int i)
    {
        var token = tokens[i];
        i++;
        if (token.Kind == FilterTokenKind.Operator)
        {
            return token.Text switch
            {
                "=" => Comparator.Equal,
                "!=" => Comparator.NotEqual,
                "<" => Comparator.Less,
                "<=" => Comparator.LessOrEqual,
                ">" => Comparator.Greater,
                _ => Comparator.GreaterOrEqual,
            };
        }
        if (token.Kind == FilterTokenKind.Keyword)
        {
            switch (token.Text)
            {
                case "LIKE":
                    return Comparator.Like;
                case "ILIKE":
                    return Comparator.ILike;
                case "IN":
                    return Comparator.In;
                case "NOT" when tokens[i].Kind == FilterTokenKind.Keyword && tokens[i].Text == "IN":
                    i++;
                    return Comparator.NotIn;
            }
        }
        throw FilterLexer.Error(filter, token.Display, token.Position, "expected a comparator: =, !=, <, <=, >, >=, LIKE, ILIKE, IN or NOT IN");
    }

    private static (SearchEntity Entity, string Key) Resolve(string text, FilterToken identifier, SearchSchema schema, bool forOrderBy)
    {
        var entity = identifier.Prefix?.ToLowerInvariant() switch
        {
            "metric" or "metrics" => SearchEntity.Metric,
            "param" or "params" or "parameter" or "parameters" => SearchEntity.Param,
            "tag" or "tags" => SearchEntity.Tag,
            null or "attribute" or "attributes" or "attr" or "run" => SearchEntity.Attribute,
            "dataset" or "datasets" => SearchEntity.Dataset,
            _ => throw FilterLexer.Error(text, identifier.Prefix + "." + identifier.Text, identifier.Position,
                "the entity must be one of metrics, params, tags, attributes or datasets"),
        };
        if (!schema.Entities.Contains(entity))
        {
            throw FilterLexer.Error(text, identifier.Prefix + "." + identifier.Text, identifier.Position, $"{identifier.Prefix} cannot be used here");
        }
        var key = identifier.Text;
        if (entity == SearchEntity.Attribute)
        {
            if (schema.StringAttributes.TryGetValue(key, out var canonical) || schema.NumericAttributes.TryGetValue(key, out canonical))
            {
                key = canonical;
            }
            if (forOrderBy ? !schema.OrderableAttributes.Contains(key) : !schema.IsStringAttribute(key) && !schema.IsNumericAttribute(key))
            {
                var valid = forOrderBy ? schema.OrderableAttributes : schema.StringAttributes.Keys.Concat(schema.NumericAttributes.Keys);
                throw FilterLexer.Error(text, identifier.Text, identifier.Position, $"invalid attribute key; valid keys are {string.Join(", ", valid.Order(StringComparer.Ordinal))}");
            }
        }
        else if (entity == SearchEntity.Dataset && !SearchSchema.DatasetKeys.Contains(key))
        {
            throw FilterLexer.Error(text, identifier.Text, identifier.Position, "invalid dataset key; valid keys are name, digest, context");
        }
        return (entity, key);
    }
}
