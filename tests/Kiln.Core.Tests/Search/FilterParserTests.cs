using Kiln.Core.Errors;
using Kiln.Core.Search;

namespace Kiln.Core.Tests.Search;

public sealed class FilterParserTests
{
    private static IReadOnlyList<FilterClause> Runs(string filter) => FilterParser.ParseFilter(filter, SearchSchema.Runs);

    [Fact]
    public void Parses_every_entity_and_comparator()
    {
        var clauses = Runs("metrics.acc >= 0.5 and params.model = 'gbdt' AND tags.`team name` LIKE 'ri%' AND attributes.status IN ('FINISHED', 'FAILED') " +
                           "AND attribute.run_id NOT IN ('a') AND tags.\"quoted key\" ILIKE '%x%' AND metric.loss < -1e-3 AND attributes.created > 5 AND datasets.name != 'd'");
        Assert.Equal(9, clauses.Count);
        Assert.Equal(new FilterClause(SearchEntity.Metric, "acc", Comparator.GreaterOrEqual, 0.5, null, null), clauses[0]);
        Assert.Equal(new FilterClause(SearchEntity.Param, "model", Comparator.Equal, null, "gbdt", null), clauses[1]);
        Assert.Equal("team name", clauses[2].Key);
        Assert.Equal(Comparator.Like, clauses[2].Comparator);
        Assert.Equal(["FINISHED", "FAILED"], clauses[3].List!);
        Assert.Equal(Comparator.NotIn, clauses[4].Comparator);
        Assert.Equal("quoted key", clauses[5].Key);
        Assert.Equal(-1e-3, clauses[6].Number);
        Assert.Equal("start_time", clauses[7].Key);
        Assert.Equal(SearchEntity.Dataset, clauses[8].Entity);
    }

    [Fact]
    public void Keys_may_contain_dots_and_values_may_contain_quotes()
    {
        var clause = Runs("tags.mlflow.runName = 'it''s'").Single();
        Assert.Equal("mlflow.runName", clause.Key);
        Assert.Equal("it's", clause.Text);
        Assert.Equal("a \"b\"", Runs("params.x = 'a \"b\"'").Single().Text);
    }

    [Theory]
    [InlineData("metrics.acc >> 1", "'>'")]
    [InlineData("metrics.acc = 'high'", "'high'")]
    [InlineData("params.model = gbdt", "'gbdt'")]
    [InlineData("params.x > '1'", "'>'")]
    [InlineData("metrics.acc LIKE '1%'", "LIKE")]
    [InlineData("foo.bar = '1'", "'foo.bar'")]
    [InlineData("params.a = '1' OR params.b = '2'", "'OR'")]
    [InlineData("attributes.colour = 'red'", "'colour'")]
    [InlineData("params.a = '1' params.b = '2'", "'params.b'")]
    [InlineData("params.a = 'unterminated", "never closed")]
    [InlineData("params.a IN 'x'", "'x'")]
    [InlineData("params.a =", "end of filter")]
    [InlineData("datasets.color = 'x'", "'color'")]
    public void Malformed_filters_name_the_offending_token(string filter, string expected)
    {
        var e = Assert.Throws<KilnException>(() => Runs(filter));
        Assert.Equal(ErrorCode.InvalidParameterValue, e.Code);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Blank_filters_mean_no_clauses() => Assert.Empty(Runs("  "));

    [Fact]
    public void Order_by_parses_direction_and_rejects_junk()
    {
        var order = FilterParser.ParseOrderBy(["metrics.`val loss` DESC", "attributes.start_time", "params.lr asc"], SearchSchema.Runs);
        Assert.Equal(new OrderByClause(SearchEntity.Metric, "val loss", false), order[0]);
        Assert.Equal(new OrderByClause(SearchEntity.Attribute, "start_time", true), order[1]);
        Assert.True(order[2].Ascending);
        Assert.Contains("SIDEWAYS", Assert.Throws<KilnException>(() => FilterParser.ParseOrderBy(["metrics.a SIDEWAYS"], SearchSchema.Runs)).Message);
        Assert.Throws<KilnException>(() => FilterParser.ParseOrderBy(["attributes.nope"], SearchSchema.Runs));
    }

    [Fact]
    public void Experiment_schema_allows_names_and_tags_only()
    {
        var clauses = FilterParser.ParseFilter("name LIKE 'loan%' AND tags.team = 'risk' AND creation_time > 0", SearchSchema.Experiments);
        Assert.Equal(3, clauses.Count);
        Assert.Throws<KilnException>(() => FilterParser.ParseFilter("metrics.a > 1", SearchSchema.Experiments));
    }

    [Fact]
    public void An_in_list_past_the_limit_is_a_clear_error()
    {
        var list = string.Join(", ", Enumerable.Range(0, Kiln.Core.Tracking.TrackingLimits.MaxInListValues + 1).Select(i => $"'r{i}'"));
        var e = Assert.Throws<KilnException>(() => FilterParser.ParseFilter($"tags.t IN ({list})", SearchSchema.Runs));
        Assert.Contains("at most 1000", e.Message);
        var ok = string.Join(", ", Enumerable.Range(0, 1000).Select(i => $"'r{i}'"));
        Assert.Single(FilterParser.ParseFilter($"tags.t IN ({ok})", SearchSchema.Runs));
    }
}
