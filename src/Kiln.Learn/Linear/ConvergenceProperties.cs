using System.Globalization;

namespace Kiln.Learn.Linear;

/// <summary>The model properties that record how an optimiser run ended.</summary>
internal static class ConvergenceProperties
{
    public static Dictionary<string, string> Create(OptimizerResult result) => new()
    {
        ["iterations"] = result.Iterations.ToString(CultureInfo.InvariantCulture),
        ["converged"] = result.Converged ? "true" : "false",
        ["gradient_norm"] = result.GradientNorm.ToString("R", CultureInfo.InvariantCulture),
        ["final_loss"] = result.Loss.ToString("R", CultureInfo.InvariantCulture),
    };
}
