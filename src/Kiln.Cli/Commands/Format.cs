using System.Globalization;
using Spectre.Console;

namespace Kiln.Cli.Commands;

/// <summary>How the CLI shows times and numbers.</summary>
internal static class Format
{
    public static string Time(long? unixMs) =>
        unixMs is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "";

    public static string Number(double value) => value.ToString("G6", CultureInfo.InvariantCulture);

    public static string Escape(string? text) => Markup.Escape(text ?? "");
}
