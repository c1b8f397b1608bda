using System.Diagnostics;
using System.Text;

namespace Kiln.Learn.Diagnostics;

/// <summary>Training phases timed by <see cref="PhaseTimer"/>.</summary>
internal enum Phase
{
    /// <summary>Choosing bin boundaries (part of <see cref="Binning"/>).</summary>
    BinChoice,
    Binning,
    Gradients,
    Histogram,
    SplitFind,
    Partition,
    PredictionUpdate,
    Validation,
    TrainLoss,
    Count,
}

/// <summary>Wall-clock totals per training phase, collected only when the environment variable KILN_PROFILE=1
/// (read once); otherwise every call is a test of a static readonly flag the JIT folds away.</summary>
internal static class PhaseTimer
{
    public static readonly bool Enabled = Environment.GetEnvironmentVariable("KILN_PROFILE") == "1";

    private static readonly long[] Ticks = new long[(int)Phase.Count];

    public static long Start() => Enabled ? Stopwatch.GetTimestamp() : 0;

    public static void Stop(Phase phase, long start)
    {
        if (Enabled)
        {
            Interlocked.Add(ref Ticks[(int)phase], Stopwatch.GetTimestamp() - start);
        }
    }

    public static void Reset() => Array.Clear(Ticks);

    /// <summary>One line: seconds per phase.</summary>
    public static string Report()
    {
        var text = new StringBuilder("phases:");
        for (var p = 0; p < (int)Phase.Count; p++)
        {
            text.Append(' ').Append((Phase)p).Append('=').Append((Ticks[p] / (double)Stopwatch.Frequency).ToString("F2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return text.ToString();
    }

    /// <summary>Writes the report to stderr when enabled and clears the totals.</summary>
    public static void Flush()
    {
        if (Enabled)
        {
            Console.Error.WriteLine(Report());
            Reset();
        }
    }
}
