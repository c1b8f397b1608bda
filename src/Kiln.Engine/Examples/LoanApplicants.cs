using System.Globalization;
using System.Text;
using Kiln.Core.Errors;

namespace Kiln.Engine.Examples;

/// <summary>What <see cref="LoanApplicants"/> writes: how many rows, how far the population has drifted, the seed, and whether to add the label.</summary>
/// <param name="Rows">How many applicants to write; at least 1.</param>
/// <param name="Drift">How far applicants have moved from the reference population: 0 (not at all) to 1 (strongly).</param>
/// <param name="Seed">The random seed; the same options always give the same bytes.</param>
/// <param name="Labels">Whether to write the <c>approved</c> label as the last column.</param>
public sealed record LoanApplicantOptions(int Rows, double Drift = 0, int Seed = 1, bool Labels = true);

/// <summary>
/// Synthetic loan applications for a lender's loan-approval risk model, written as CSV. Drift changes who applies
/// (lower credit scores, more debt, bigger loans, more renters and business loans, more of the west, younger people)
/// and who repays (debt and job tenure weigh more, the credit score less, young applicants and the west are riskier), so
/// a model trained before the drift ranks drifted applicants worse than one retrained on them.
/// </summary>
public static class LoanApplicants
{
    private static readonly string[] Names =
    [
        "age", "income", "loan_amount", "term_months", "credit_score", "debt_to_income",
        "employment_years", "home_ownership", "purpose", "region", "approved",
    ];
    private static readonly string[] Homes = ["rent", "mortgage", "own"];
    private static readonly double[] HomeReference = [0.32, 0.46, 0.22];
    private static readonly double[] HomeDrifted = [0.60, 0.30, 0.10];
    private static readonly double[] HomeRisk = [-0.45, 0.2, 0.5];
    private static readonly string[] Purposes = ["debt_consolidation", "home_improvement", "car", "business", "education", "medical"];
    private static readonly double[] PurposeReference = [0.36, 0.18, 0.18, 0.08, 0.10, 0.10];
    private static readonly double[] PurposeDrifted = [0.28, 0.12, 0.12, 0.32, 0.08, 0.08];
    private static readonly double[] PurposeRisk = [0, 0.25, 0.35, -0.9, -0.35, -0.45];
    private static readonly double[] PurposeSize = [1.0, 1.3, 0.8, 1.6, 0.7, 0.45];
    private static readonly string[] Regions = ["north", "south", "east", "west"];
    private static readonly double[] RegionReference = [0.25, 0.25, 0.25, 0.25];
    private static readonly double[] RegionDrifted = [0.15, 0.20, 0.15, 0.50];
    private static readonly int[] Terms = [12, 24, 36, 48, 60];

    /// <summary>The CSV columns in order: the ten features, then <c>approved</c> (written only when <see cref="LoanApplicantOptions.Labels"/> is true).</summary>
    public static IReadOnlyList<string> Columns { get; } = Array.AsReadOnly(Names);

    /// <summary>Writes the applicants as CSV with a header row and <c>\n</c> line endings.</summary>
    /// <param name="writer">Where to write; it is not flushed or closed.</param>
    /// <param name="options">How many rows, the drift, the seed and whether to add the label.</param>
    public static void Write(TextWriter writer, LoanApplicantOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Validate(options);
        double drift = options.Drift;
        var random = new Random(options.Seed);
        Span<char> buffer = stackalloc char[32];
        writer.Write(string.Join(',', options.Labels ? Names : Names[..^1]));
        writer.Write('\n');
        for (int row = 0; row < options.Rows; row++)
        {
            int age = (int)Math.Round(Math.Clamp(42 - 9 * drift + 12 * Normal(random), 18, 80));
            int employment = (int)Math.Round(Math.Clamp((age - 22) * 0.45 + 4 * Normal(random), 0, Math.Min(40, age - 18)));
            int home = Pick(random, HomeReference, HomeDrifted, drift);
            int purpose = Pick(random, PurposeReference, PurposeDrifted, drift);
            int region = Pick(random, RegionReference, RegionDrifted, drift);
            double income = Math.Exp(Math.Log(55_000) + 0.012 * (employment - 8) + 0.45 * Normal(random));
            int credit = (int)Math.Round(Math.Clamp(700 - 80 * drift + 1.5 * (employment - 8) + 65 * Normal(random), 300, 850));
            double debtToIncome = Math.Clamp(Math.Exp(Math.Log(0.26 + 0.12 * drift) - 0.0015 * (credit - 700) + 0.45 * Normal(random)), 0, 1.5);
            double size = Normal(random);
            double loan = Math.Max(1000, income * Math.Min(2.5, (0.22 + 0.12 * drift) * PurposeSize[purpose] * Math.Exp(0.5 * size)));
            int term = Terms[(int)Math.Clamp(Math.Floor(2.5 + size + 0.8 * Normal(random)), 0, 4)];

            // Who repays changes with the drift too (a downturn): debt and job tenure weigh more, the credit score less, and young
            // applicants and the west become riskier. The label is drawn even when not written, so features do not depend on Labels.
            double score = 1.5 * (0.35 + 0.021 * (1 - 0.6 * drift) * (credit - 700) - (4.5 + 6 * drift) * (debtToIncome - 0.3) - 2.2 * (loan / income - 0.25)
                + (0.035 + 0.08 * drift) * (employment - 8) + HomeRisk[home] + PurposeRisk[purpose] - 1.2 * drift * (age < 30 ? 1 : 0) - 0.8 * drift * (region == 3 ? 1 : 0)
                + 1.2 * drift) + 0.5 * Normal(random);
            bool approved = random.NextDouble() < 1 / (1 + Math.Exp(-score));

            Put(writer, buffer, age, null);
            Put(writer, buffer, income, "F2");
            Put(writer, buffer, loan, "F2");
            Put(writer, buffer, term, null);
            Put(writer, buffer, credit, null);
            Put(writer, buffer, debtToIncome, "F4");
            Put(writer, buffer, employment, null);
            writer.Write(Homes[home]);
            writer.Write(',');
            writer.Write(Purposes[purpose]);
            writer.Write(',');
            writer.Write(Regions[region]);
            if (options.Labels)
            {
                writer.Write(',');
                writer.Write(approved ? '1' : '0');
            }
            writer.Write('\n');
        }
    }

    /// <summary>Writes the applicants as a UTF-8 CSV file, creating its folder if needed.</summary>
    /// <param name="path">The file to write; it is replaced if it exists.</param>
    /// <param name="options">How many rows, the drift, the seed and whether to add the label.</param>
    public static void WriteFile(string path, LoanApplicantOptions options)
    {
        Validate(options);
        string full = Path.GetFullPath(path);
        string? folder = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }
        using var writer = new StreamWriter(full, false, new UTF8Encoding(false), 1 << 16);
        Write(writer, options);
    }

    private static void Validate(LoanApplicantOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Rows < 1)
        {
            throw KilnException.Invalid($"Rows is {options.Rows.ToString(CultureInfo.InvariantCulture)}: give how many loan applicants to write, at least 1.");
        }
        if (!(options.Drift >= 0 && options.Drift <= 1))
        {
            throw KilnException.Invalid($"Drift is {options.Drift.ToString(CultureInfo.InvariantCulture)}: give a number from 0 (the reference population) to 1 (strongly drifted).");
        }
    }

    // Writes one number and the comma after it, without making a string.
    private static void Put<T>(TextWriter writer, Span<char> buffer, T value, string? format) where T : ISpanFormattable
    {
        if (!value.TryFormat(buffer, out int written, format, CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("A number was too long to format.");
        }
        writer.Write((ReadOnlySpan<char>)buffer[..written]);
        writer.Write(',');
    }

    // A standard normal draw (Box–Muller), so the output depends only on Random's sequence.
    private static double Normal(Random random)
    {
        double u1 = 1 - random.NextDouble();
        double u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    // Picks a category, mixing the reference and drifted weights by the drift.
    private static int Pick(Random random, double[] reference, double[] drifted, double drift)
    {
        double u = random.NextDouble();
        double total = 0;
        for (int i = 0; i < reference.Length - 1; i++)
        {
            total += reference[i] + (drifted[i] - reference[i]) * drift;
            if (u < total)
            {
                return i;
            }
        }
        return reference.Length - 1;
    }
}
