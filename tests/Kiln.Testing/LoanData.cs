using System.Globalization;
using System.Text;

namespace Kiln.Testing;

/// <summary>Small loan-like CSVs with a learnable signal: approved when income and a good region outweigh debt.</summary>
public static class LoanData
{
    public static string Write(string directory, string name, int rows, int seed)
    {
        var rng = new Random(seed);
        var regions = new[] { "north", "south", "east" };
        var sb = new StringBuilder("income,debt,region,approved\n");
        for (var i = 0; i < rows; i++)
        {
            var income = rng.NextDouble();
            var debt = rng.NextDouble();
            var region = regions[rng.Next(regions.Length)];
            var score = income - (0.8 * debt) + (region == "north" ? 0.3 : 0) + ((rng.NextDouble() - 0.5) * 0.2);
            var incomeText = i % 97 == 0 ? "" : income.ToString("F4", CultureInfo.InvariantCulture);
            sb.Append(CultureInfo.InvariantCulture, $"{incomeText},{debt:F4},{region},{(score > 0.2 ? 1 : 0)}\n");
        }
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, sb.ToString());
        return path;
    }
}
