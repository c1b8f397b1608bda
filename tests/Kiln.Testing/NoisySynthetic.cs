using Kiln.Tabular;
using Kiln.Tabular.Columns;

namespace Kiln.Testing;

/// <summary>Data sets with label noise, where averaging (forests) or a smooth model (logistic) must beat memorising.</summary>
public static class NoisySynthetic
{
    /// <summary>y ~ Bernoulli(sigmoid(2a - 3b + ab)) with four noise features and a categorical feature that shifts the odds.</summary>
    public static Table Binary(int rows, int seed = 11)
    {
        var rng = new Random(seed);
        var columns = new double[6][];
        for (var j = 0; j < columns.Length; j++)
        {
            columns[j] = new double[rows];
        }
        var codes = new int[rows];
        var y = new double[rows];
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < columns.Length; j++)
            {
                columns[j][i] = (rng.NextDouble() * 2) - 1;
            }
            codes[i] = rng.Next(3);
            var a = columns[0][i];
            var b = columns[1][i];
            var z = (2 * a) - (3 * b) + (a * b) + (codes[i] == 2 ? 1 : 0) - 0.3;
            y[i] = rng.NextDouble() < 1 / (1 + Math.Exp(-z)) ? 1 : 0;
        }
        var result = new List<Column>();
        for (var j = 0; j < columns.Length; j++)
        {
            result.Add(new Float64Column($"x{j}", columns[j]));
        }
        result.Add(new CategoricalColumn("group", codes, ["g0", "g1", "g2"]));
        result.Add(new Float64Column("y", y));
        return new Table(result);
    }
}
