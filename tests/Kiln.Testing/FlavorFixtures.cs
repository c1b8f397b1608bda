using System.Globalization;
using Kiln.Tabular;
using Kiln.Tabular.Csv;

namespace Kiln.Testing;

/// <summary>The model files in tests/fixtures/flavors, made by XGBoost, LightGBM, ONNX and ML.NET themselves (see its
/// README), the 500 rows they were scored on, and the libraries' own predictions.</summary>
public static class FlavorFixtures
{
    /// <summary>The fixtures folder in the build output.</summary>
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "fixtures", "flavors");

    /// <summary>The path of a fixture file.</summary>
    public static string PathOf(string name) => Path.Combine(Folder, name);

    /// <summary>The test rows: x0…x7, empty cells missing (row 0 all missing).</summary>
    public static Table Rows() => CsvReader.ReadFile(PathOf("flavor_rows.csv"));

    /// <summary>A library's predictions for <see cref="Rows"/>, one array per row.</summary>
    public static double[][] Expected(string name) => [.. File.ReadAllLines(PathOf(name)).Where(l => l.Length > 0)
        .Select(l => l.Split(',').Select(v => double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray())];

    /// <summary>The largest |actual − expected| over every row and output (outputs row-major in <paramref name="actual"/>),
    /// relative to max(1, |expected|) when <paramref name="relative"/>.</summary>
    public static double MaxDifference(double[] actual, double[][] expected, bool relative = false)
    {
        var width = expected[0].Length;
        if (actual.Length != expected.Length * width)
        {
            throw new InvalidOperationException($"{actual.Length} predictions for {expected.Length} rows × {width} outputs.");
        }
        var worst = 0.0;
        for (var row = 0; row < expected.Length; row++)
        {
            for (var k = 0; k < width; k++)
            {
                var e = expected[row][k];
                var d = Math.Abs(actual[(row * width) + k] - e) / (relative ? Math.Max(1, Math.Abs(e)) : 1);
                worst = double.IsNaN(d) ? double.PositiveInfinity : Math.Max(worst, d);
            }
        }
        return worst;
    }
}
