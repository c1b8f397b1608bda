using Kiln.Tabular;
using Kiln.Tabular.Columns;

namespace Kiln.Testing;

/// <summary>Small data sets with known answers.</summary>
public static class Synthetic
{
    /// <summary>y = 1 when x &gt; 0.3 (binary), plus a noise feature.</summary>
    public static Table Step(int rows, int seed = 1)
    {
        var rng = new Random(seed);
        var x = new double[rows];
        var noise = new double[rows];
        var y = new double[rows];
        for (var i = 0; i < rows; i++)
        {
            x[i] = rng.NextDouble();
            noise[i] = rng.NextDouble();
            y[i] = x[i] > 0.3 ? 1 : 0;
        }
        return new Table([new Float64Column("x", x), new Float64Column("noise", noise), new Float64Column("y", y)]);
    }

    /// <summary>y = 3 a - 2 b + 1 + small noise; c is irrelevant.</summary>
    public static Table Linear(int rows, int seed = 2, double noise = 0.01)
    {
        var rng = new Random(seed);
        var a = new double[rows];
        var b = new double[rows];
        var c = new double[rows];
        var y = new double[rows];
        for (var i = 0; i < rows; i++)
        {
            a[i] = rng.NextDouble() * 2 - 1;
            b[i] = rng.NextDouble() * 2 - 1;
            c[i] = rng.NextDouble();
            y[i] = (3 * a[i]) - (2 * b[i]) + 1 + (noise * (rng.NextDouble() - 0.5));
        }
        return new Table([new Float64Column("a", a), new Float64Column("b", b), new Float64Column("c", c), new Float64Column("y", y)]);
    }

    /// <summary>Three classes by the sign pattern of two features.</summary>
    public static Table ThreeClasses(int rows, int seed = 3)
    {
        var rng = new Random(seed);
        var a = new double[rows];
        var b = new double[rows];
        var y = new string?[rows];
        for (var i = 0; i < rows; i++)
        {
            a[i] = rng.NextDouble() * 2 - 1;
            b[i] = rng.NextDouble() * 2 - 1;
            y[i] = a[i] < -0.3 ? "red" : b[i] < 0 ? "green" : "blue";
        }
        return new Table([new Float64Column("a", a), new Float64Column("b", b), CategoricalColumn.FromValues("y", y)]);
    }

    /// <summary>A categorical feature whose categories {B, D, F} mean class 1, the others class 0.</summary>
    public static Table Categories(int rows, int seed = 4)
    {
        var rng = new Random(seed);
        var names = new[] { "A", "B", "C", "D", "E", "F", "G", "H" };
        var codes = new int[rows];
        var y = new double[rows];
        for (var i = 0; i < rows; i++)
        {
            codes[i] = rng.Next(names.Length);
            y[i] = codes[i] is 1 or 3 or 5 ? 1 : 0;
        }
        return new Table([new CategoricalColumn("cat", codes, names), new Float64Column("y", y)]);
    }
}
