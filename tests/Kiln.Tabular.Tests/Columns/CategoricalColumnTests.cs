using Kiln.Tabular.Columns;

namespace Kiln.Tabular.Tests.Columns;

public class CategoricalColumnTests
{
    [Fact]
    public void FromValues_sorts_categories_ordinally_and_codes_missing_as_minus_one()
    {
        var column = CategoricalColumn.FromValues("c", ["b", null, "B", "a", "b"]);

        Assert.Equal(["B", "a", "b"], column.Categories);
        Assert.Equal([2, -1, 0, 1, 2], column.Codes.ToArray());
        Assert.Equal(1, column.CountMissing());
        Assert.Null(column[1]);
        Assert.Equal("a", column[3]);
        Assert.Equal(1, column.IndexOf("a"));
        Assert.Equal(-1, column.IndexOf("z"));
        Assert.Equal(ColumnKind.Categorical, column.Kind);
    }

    [Fact]
    public void Constructor_validates_codes_and_categories()
    {
        Assert.Throws<ArgumentException>(() => new CategoricalColumn("c", [0, 2], ["a", "b"]));
        Assert.Throws<ArgumentException>(() => new CategoricalColumn("c", [-2], ["a"]));
        Assert.Throws<ArgumentException>(() => new CategoricalColumn("c", [0], ["a", "a"]));
    }

    [Fact]
    public void Rename_shares_storage()
    {
        var column = CategoricalColumn.FromValues("c", ["x"]);

        var renamed = column.Rename("d");

        Assert.Equal("d", renamed.Name);
        Assert.Equal(column.Categories, renamed.Categories);
    }
}
