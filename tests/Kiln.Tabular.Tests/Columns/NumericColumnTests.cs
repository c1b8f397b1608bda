using Kiln.Tabular.Columns;

namespace Kiln.Tabular.Tests.Columns;

public class NumericColumnTests
{
    [Fact]
    public void Float64_treats_NaN_as_missing_and_formats_round_trip()
    {
        var column = new Float64Column("x", [0.1, double.NaN, 1e300]);

        Assert.Equal(1, column.CountMissing());
        Assert.True(column.IsMissing(1));
        Assert.Null(column.FormatValue(1));
        Assert.Equal(0.1, double.Parse(column.FormatValue(0)!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Same(column, column.ToFloat64());
    }

    [Fact]
    public void Float32_widens_to_double()
    {
        var column = new Float32Column("x", [1.5f, float.NaN]);

        Assert.Equal(ColumnKind.Float32, column.Kind);
        Assert.Equal(1.5, column.GetValue(0));
        Assert.True(double.IsNaN(column.ToFloat64()[1]));
        Assert.Equal(1, column.CountMissing());
        Assert.Equal([1.5f], column.Take([0]).Values.ToArray());
    }

    [Fact]
    public void CopyTo_checks_the_destination_length()
    {
        var column = new Float32Column("x", [1f, 2f]);

        Assert.Throws<ArgumentException>(() => column.CopyTo(new double[1]));
    }
}
