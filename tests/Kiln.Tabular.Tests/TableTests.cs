using Kiln.Tabular.Columns;

namespace Kiln.Tabular.Tests;

public class TableTests
{
    private static Table Sample() => new(
    [
        new Float64Column("x", [1.0, 2.0, double.NaN, 4.0]),
        CategoricalColumn.FromValues("color", ["red", "blue", null, "red"]),
        new TextColumn("note", ["a", null, "c", "d"]),
    ]);

    [Fact]
    public void Exposes_names_counts_and_columns()
    {
        var table = Sample();

        Assert.Equal(4, table.RowCount);
        Assert.Equal(3, table.ColumnCount);
        Assert.Equal(["x", "color", "note"], table.ColumnNames);
        Assert.Same(table[1], table["color"]);
        Assert.Equal(2, table.IndexOf("note"));
        Assert.Equal(-1, table.IndexOf("nope"));
        Assert.True(table.Contains("x"));
        Assert.True(table.TryGetColumn("x", out var column));
        Assert.IsType<Float64Column>(column);
    }

    [Fact]
    public void Missing_column_error_names_it_and_lists_the_available_ones()
    {
        var error = Assert.Throws<ColumnNotFoundException>(() => Sample()["colour"]);

        Assert.Equal("colour", error.ColumnName);
        Assert.Contains("'colour'", error.Message);
        Assert.Contains("x, color, note", error.Message);
        Assert.IsAssignableFrom<Kiln.Core.Errors.KilnException>(error);
    }

    [Fact]
    public void GetColumn_with_the_wrong_kind_says_what_the_column_is()
    {
        var error = Assert.Throws<InvalidCastException>(() => Sample().GetColumn<NumericColumn>("color"));

        Assert.Contains("Categorical", error.Message);
        Assert.Same(Sample().GetColumn<NumericColumn>("x").Name, "x");
    }

    [Fact]
    public void Rejects_columns_of_different_lengths_and_duplicate_names()
    {
        Assert.Throws<ArgumentException>(() => new Table([new Float64Column("a", [1.0]), new Float64Column("b", [1.0, 2.0])]));
        Assert.Throws<ArgumentException>(() => new Table([new Float64Column("a", [1.0]), new Float64Column("a", [2.0])]));
    }

    [Fact]
    public void Take_selects_rows_in_order_and_keeps_categories()
    {
        var taken = Sample().Take([3, 0, 0]);

        Assert.Equal(3, taken.RowCount);
        Assert.Equal([4.0, 1.0, 1.0], taken.GetColumn<Float64Column>("x").Values.ToArray());
        var color = taken.GetColumn<CategoricalColumn>("color");
        Assert.Equal(["blue", "red"], color.Categories);
        Assert.Equal(["red", "red", "red"], Enumerable.Range(0, 3).Select(color.GetValue));
        Assert.Equal(["d", "a", "a"], taken.GetColumn<TextColumn>("note").Values.ToArray().ToList());
    }

    [Fact]
    public void Take_rejects_out_of_range_rows()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Sample().Take([4]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Sample().Take([-1]));
    }

    [Fact]
    public void Slice_selects_a_range()
    {
        var slice = Sample().Slice(1, 2);

        Assert.Equal(2, slice.RowCount);
        Assert.Equal(2.0, slice.GetColumn<Float64Column>("x")[0]);
        Assert.True(slice["color"].IsMissing(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Sample().Slice(3, 2));
    }

    [Fact]
    public void Select_Drop_and_WithColumn_shape_the_columns()
    {
        var table = Sample();

        Assert.Equal(["note", "x"], table.Select("note", "x").ColumnNames);
        Assert.Equal(["x", "note"], table.Drop("color").ColumnNames);
        Assert.Throws<ColumnNotFoundException>(() => table.Select("x", "y"));

        var replaced = table.WithColumn(new Float64Column("x", [9.0, 9.0, 9.0, 9.0]));
        Assert.Equal(["x", "color", "note"], replaced.ColumnNames);
        Assert.Equal(9.0, replaced.GetColumn<Float64Column>("x")[0]);
        Assert.Equal(4, table.WithColumn(new Float64Column("y", new double[4])).ColumnCount);
    }
}
