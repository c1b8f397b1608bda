using System.Globalization;
using Kiln.Models;

namespace Kiln.Samples.Scoring;

/// <summary>The README's in-process scoring example: load a Kiln model once, score typed rows with no server.</summary>
public static class Program
{
    public static Task<int> Main(string[] args) => RunAsync(args, Console.Out);

    /// <summary>Scores two loan applications with the model at args[0] (a package folder, or runs:/RUN_ID/model with KILN_TRACKING_URI set).</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        if (args.Length != 1)
        {
            await output.WriteLineAsync("usage: Scoring MODEL   (a model folder, or runs:/RUN_ID/model with KILN_TRACKING_URI set)");
            return 2;
        }
        var model = await KilnModel.LoadAsync(args[0]);              // once, at start-up
        var scorer = model.CreateScorer<LoanApplication>();          // maps properties to features by name
        LoanApplication[] applicants =
        [
            new() { Income = 0.92, Debt = 0.10, Region = "north" },
            new() { Income = 0.15, Debt = 0.80, Region = "south" },
        ];
        foreach (var applicant in applicants)
        {
            var probability = scorer.Predict(applicant);             // one row, no allocation
            var decision = probability >= 0.5 ? "approve" : "decline";
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{applicant.Region} applicant: P({model.Schema.Target}) = {probability:F3} -> {decision}"));
        }
        return 0;
    }
}

/// <summary>One application, as the service receives it; property names match the model's features.</summary>
public sealed class LoanApplication
{
    public double? Income { get; init; }

    public double Debt { get; init; }

    public string? Region { get; init; }
}
