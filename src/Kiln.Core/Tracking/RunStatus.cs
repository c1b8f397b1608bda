using Kiln.Core.Errors;

namespace Kiln.Core.Tracking;

/// <summary>A run's state, with MLflow's names.</summary>
public enum RunStatus
{
    Running = 1,
    Scheduled = 2,
    Finished = 3,
    Failed = 4,
    Killed = 5,
}

/// <summary>Wire names for <see cref="RunStatus"/>.</summary>
public static class RunStatusNames
{
    public static string WireName(this RunStatus status) => status.ToString().ToUpperInvariant();

    /// <summary>Parses RUNNING, FINISHED, … (or the proto number); throws INVALID_PARAMETER_VALUE otherwise.</summary>
    public static RunStatus Parse(string value)
    {
        if (int.TryParse(value, out var number) && Enum.IsDefined(typeof(RunStatus), number))
        {
            return (RunStatus)number;
        }
        foreach (var status in Enum.GetValues<RunStatus>())
        {
            if (string.Equals(status.WireName(), value, StringComparison.OrdinalIgnoreCase))
            {
                return status;
            }
        }
        throw KilnException.Invalid($"Invalid run status '{value}'. Use one of RUNNING, SCHEDULED, FINISHED, FAILED, KILLED.");
    }

    public static bool IsTerminal(this RunStatus status) => status is RunStatus.Finished or RunStatus.Failed or RunStatus.Killed;
}
