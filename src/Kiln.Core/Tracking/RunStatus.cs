using Kiln.Core.Errors;

namespace Kiln.Core.Tracking;

/// <summary>A run's state, with MLflow's names.</summary>
public enum RunStatus
{
    /// <summary>The run is in progress (<c>RUNNING</c>, the state a new run starts in).</summary>
    Running = 1,
    /// <summary>The run is queued but not started (<c>SCHEDULED</c>).</summary>
    Scheduled = 2,
    /// <summary>The run completed successfully (<c>FINISHED</c>).</summary>
    Finished = 3,
    /// <summary>The run ended with an error (<c>FAILED</c>).</summary>
    Failed = 4,
    /// <summary>The run was stopped before it completed (<c>KILLED</c>).</summary>
    Killed = 5,
}

/// <summary>Wire names for <see cref="RunStatus"/>.</summary>
public static class RunStatusNames
{
    /// <summary>MLflow's name for a status: RUNNING, SCHEDULED, FINISHED, FAILED or KILLED.</summary>
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

    /// <summary>Whether the status is final: FINISHED, FAILED or KILLED.</summary>
    public static bool IsTerminal(this RunStatus status) => status is RunStatus.Finished or RunStatus.Failed or RunStatus.Killed;
}
