namespace Kiln.Core.Errors;

/// <summary>The <c>kiln</c> command's exit codes, as the README lists them.</summary>
public static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Success = 0;

    /// <summary>A Kiln error (the message on stderr says what to do), or a bug (the message says where the trace is).</summary>
    public const int Error = 1;

    /// <summary>Invalid usage: an unknown command or option, a missing argument.</summary>
    public const int Usage = 2;

    /// <summary>What the command names (experiment, run, file, model) does not exist.</summary>
    public const int NotFound = 3;

    /// <summary>A check the command ran failed: data validation found anomalies that are errors (CI and pipelines gate on it).</summary>
    public const int CheckFailed = 4;

    /// <summary>Cancelled with Ctrl+C.</summary>
    public const int Cancelled = 130;
}
