using System.Text.RegularExpressions;
using Quartz;

namespace Kiln.Engine.Pipelines.Triggers;

/// <summary>
/// Cron schedules through Quartz.NET's <see cref="CronExpression"/>: the five fields people write
/// (<c>minute hour day-of-month month day-of-week</c>, Sunday 0 or 7) are turned into Quartz's form (seconds first, <c>?</c>
/// in one day field, Sunday 1); Quartz's own six- or seven-field expressions are taken as they are. Times are UTC.
/// </summary>
public sealed partial class Cron
{
    private readonly CronExpression _expression;

    private Cron(CronExpression expression, string text)
    {
        _expression = expression;
        Text = text;
    }

    /// <summary>The expression as written.</summary>
    public string Text { get; }

    /// <summary>The schedule, or why <paramref name="text"/> is not one.</summary>
    public static (Cron? Cron, string? Error) Parse(string text)
    {
        var fields = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length is not (5 or 6 or 7))
        {
            return (null, $"has {fields.Length} field(s): write five (minute hour day-of-month month day-of-week), e.g. \"0 3 * * *\" for 03:00 UTC every day.");
        }
        var quartz = fields.Length == 5 ? FromFive(fields) : text;
        try
        {
            return (new Cron(new CronExpression(quartz, TimeZoneInfo.Utc), text), null);
        }
        catch (FormatException e)
        {
            return (null, $"is not a cron expression: {e.Message}");
        }
    }

    /// <summary>The first time the schedule fires after <paramref name="after"/>, or null when it never does again.</summary>
    public DateTimeOffset? Next(DateTimeOffset after) => _expression.GetNextValidTimeAfter(after);

    private static string FromFive(string[] f)
    {
        var (dom, dow) = (f[2], DayOfWeek().Replace(f[4], m => (int.Parse(m.Value, System.Globalization.CultureInfo.InvariantCulture) % 7 + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        if (dow == "*")
        {
            dow = "?";
        }
        else if (dom == "*")
        {
            dom = "?";
        }
        return $"0 {f[0]} {f[1]} {dom} {f[3]} {dow}";
    }

    [GeneratedRegex("[0-7]")]
    private static partial Regex DayOfWeek();
}
