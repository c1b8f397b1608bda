using Kiln.Learn.Data;
using Kiln.Tabular;
using Kiln.Tabular.Columns;

namespace Kiln.Learn.Tests.Data;

public sealed class FeatureViewTests
{
    [Theory]
    [InlineData(0, 11)]
    [InlineData(3, 6)]
    [InlineData(5, 1)]
    public void Numeric_values_are_filled_with_non_finite_ones_as_missing(int start, int count)
    {
        double[] x = [1.5, double.PositiveInfinity, -2, double.NaN, double.NegativeInfinity, 0, -0.0, double.MaxValue,
            double.Epsilon, 7, double.NaN];
        var table = new Table([new Float64Column("x", x), new Float64Column("y", [.. x.Select((_, i) => (double)(i % 2))])]);
        var view = TrainingData.Create(table, "y", TaskKind.BinaryClassification).Features;
        var filled = new double[count];
        view.Fill(0, start, filled);
        for (var i = 0; i < count; i++)
        {
            var expected = double.IsFinite(x[start + i]) ? x[start + i] : double.NaN;
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(filled[i]));
        }
    }
}
