using System.Text.Json;
using Kiln.Tabular.Columns;
using Kiln.Tabular.Csv;
using Kiln.Tabular.Statistics;

namespace Kiln.Tabular.Tests.Statistics;

public class TableProfileTests
{
    private static Table Sample() => CsvReader.ParseString(
        "x,color,id\n1,red,a\n2,blue,b\nNA,red,c\n4,red,d\n5,,e\n6,blue,f\n7,red,g\n8,blue,h\n",
        CsvReadOptions.Default with { ColumnTypes = new Dictionary<string, ColumnKind> { ["id"] = ColumnKind.Text } });

    [Fact]
    public void Profiles_every_column()
    {
        var profile = TableProfile.Compute(Sample());

        Assert.Equal(8, profile.RowCount);
        Assert.Equal(["x", "color", "id"], profile.Columns.Select(c => c.Name));
        Assert.Equal(33.0 / 7, profile.GetColumn("x").Numeric!.Mean, 12);
        Assert.Equal([new CategoryCount("blue", 3), new CategoryCount("red", 4)], profile.GetColumn("color").Categorical!.Categories);
        Assert.Equal(8, profile.GetColumn("id").Text!.DistinctCount);
        Assert.Throws<ColumnNotFoundException>(() => profile.GetColumn("y"));
    }

    [Fact]
    public void Json_round_trips()
    {
        var table = Sample().WithColumn(new Float64Column("extreme", [double.PositiveInfinity, 1, 2, 3, 4, 5, 6, double.NaN]));
        var profile = TableProfile.Compute(table);

        var json = profile.ToJson();
        var restored = TableProfile.FromJson(json);

        Assert.Equal(json, restored.ToJson());
        Assert.Equal(profile.ToJson(indented: false), restored.ToJson(indented: false));
        Assert.Equal(double.PositiveInfinity, restored.GetColumn("extreme").Numeric!.Max);
        Assert.Equal(ColumnKind.Categorical, restored.GetColumn("color").Kind);
    }

    [Fact]
    public void Json_uses_camel_case_names_and_kind_strings()
    {
        var json = TableProfile.Compute(Sample()).ToJson(indented: false);

        using var document = JsonDocument.Parse(json);
        var first = document.RootElement.GetProperty("columns")[0];
        Assert.Equal("Numeric", first.GetProperty("kind").GetString());
        Assert.Equal(1, first.GetProperty("missingCount").GetInt64());
        Assert.True(first.GetProperty("numeric").TryGetProperty("standardDeviation", out _));
        Assert.False(first.TryGetProperty("categorical", out _));
    }

    [Fact]
    public void FromJson_rejects_a_profile_without_required_fields()
    {
        Assert.Throws<JsonException>(() => TableProfile.FromJson("{\"columns\": []}"));
        Assert.Throws<JsonException>(() => TableProfile.FromJson("null"));
    }
}
