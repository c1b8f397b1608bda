using System.Globalization;

namespace Kiln.Cli;

/// <summary>
/// What the CLI does with an unexpected exception (a bug): the full trace goes to a file, the user gets one line
/// saying what failed, that it is a bug, and where the trace is — never a .NET stack trace on the terminal.
/// </summary>
internal static class CrashReport
{
    /// <summary>Where traces go: <c>$KILN_CRASH_DIR</c>, else the system's temporary folder.</summary>
    public static string Directory =>
        Environment.GetEnvironmentVariable("KILN_CRASH_DIR") is { Length: > 0 } dir ? dir : Path.GetTempPath();

    /// <summary>Writes the trace and returns the line to print.</summary>
    public static string Write(Exception e, string[] args)
    {
        var what = $"internal error: {e.GetType().Name}: {FirstLine(e.Message)}";
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
            var path = Path.Combine(Directory, $"kiln-crash-{DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}-{Environment.ProcessId}.txt");
            File.WriteAllText(path, $"kiln {string.Join(' ', args)}\n{DateTime.UtcNow:O}\n\n{e}\n");
            return $"error: {what}. This is a bug in Kiln; the full trace is in {path}. Please report it with that file.";
        }
        catch (Exception write) when (write is IOException or UnauthorizedAccessException)
        {
            return $"error: {what}. This is a bug in Kiln (the trace could not be written: {write.Message}).";
        }
    }

    private static string FirstLine(string message)
    {
        var newline = message.IndexOfAny(['\r', '\n']);
        return newline < 0 ? message : message[..newline];
    }
}
