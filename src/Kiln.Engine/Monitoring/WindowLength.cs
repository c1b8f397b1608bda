using System.Globalization;
using Kiln.Core.Errors;

namespace Kiln.Engine.Monitoring;

/// <summary>Window lengths as people write them: <c>90s</c>, <c>30m</c>, <c>24h</c>, <c>7d</c>.</summary>
public static class WindowLength
{
    /// <summary>Reads <paramref name="text"/>.</summary>
    /// <exception cref="KilnException">Not a number followed by s, m, h or d; the message shows the form.</exception>
    public static TimeSpan Parse(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.Length >= 2 && double.TryParse(trimmed[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n > 0)
        {
            switch (char.ToLowerInvariant(trimmed[^1]))
            {
                case 's': return TimeSpan.FromSeconds(n);
                case 'm': return TimeSpan.FromMinutes(n);
                case 'h': return TimeSpan.FromHours(n);
                case 'd': return TimeSpan.FromDays(n);
            }
        }
        throw KilnException.Invalid($"Cannot read the window '{text}': write a number and a unit, e.g. 30m, 24h or 7d.");
    }
}
