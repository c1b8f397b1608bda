using System.Text.RegularExpressions;

namespace Kiln.Engine.Pipelines.Spec;

/// <summary>A reference in a step's text: <c>params.NAME</c> or <c>steps.STEP.outputs.OUTPUT</c>.</summary>
/// <param name="Text">The reference as written.</param>
/// <param name="Param">The param it names, or null.</param>
/// <param name="Step">The step it names, or null.</param>
/// <param name="Output">The step's output it names, or null.</param>
public sealed record SpecReference(string Text, string? Param, string? Step, string? Output);

/// <summary>A parsed <c>when:</c> condition: <c>[!]REFERENCE [(==|!=) OPERAND]</c>.</summary>
/// <param name="Reference">What it tests.</param>
/// <param name="Negated">True when written with <c>!</c>.</param>
/// <param name="Operator"><c>==</c>, <c>!=</c> or null.</param>
/// <param name="Operand">The value compared with, or null.</param>
public sealed record SpecCondition(SpecReference Reference, bool Negated, string? Operator, string? Operand);

/// <summary>
/// The expressions a pipeline file may hold: <c>${{ params.rounds }}</c> and <c>${{ steps.train.outputs.model }}</c>
/// inside any value, and <c>when:</c> conditions — a reference, <c>!</c> a reference, or a reference compared with
/// <c>==</c> or <c>!=</c> to a value (e.g. <c>steps.gate.outputs.passed == true</c>).
/// </summary>
public static partial class SpecReferences
{
    [GeneratedRegex(@"\$\{\{\s*(?<ref>[^}]*?)\s*\}\}")]
    private static partial Regex Embedded();

    [GeneratedRegex(@"^(?:params\.(?<param>[A-Za-z_][A-Za-z0-9_]*)|steps\.(?<step>[A-Za-z0-9_-]+)\.outputs\.(?<output>[A-Za-z_][A-Za-z0-9_]*))$")]
    private static partial Regex Reference();

    [GeneratedRegex(@"^(?<not>!)?\s*(?<ref>[^\s=!]+)\s*(?:(?<op>==|!=)\s*(?<value>\S+))?$")]
    private static partial Regex Condition();

    /// <summary>Every <c>${{ … }}</c> in <paramref name="text"/>: the references it holds, and the expressions that are none.</summary>
    public static (IReadOnlyList<SpecReference> References, IReadOnlyList<string> Unknown) In(string text)
    {
        var (found, unknown) = (new List<SpecReference>(), new List<string>());
        foreach (Match m in Embedded().Matches(text))
        {
            if (Read(m.Groups["ref"].Value) is { } reference)
            {
                found.Add(reference);
            }
            else
            {
                unknown.Add(m.Value);
            }
        }
        return (found, unknown);
    }

    /// <summary>The reference a <c>when:</c> condition tests, or null when it is not a condition this reader knows.</summary>
    public static SpecReference? InCondition(string condition) => ParseCondition(condition)?.Reference;

    /// <summary><paramref name="text"/> with each <c>${{ REFERENCE }}</c> replaced by <paramref name="value"/>'s answer (unknown expressions stay).</summary>
    public static string Replace(string text, Func<SpecReference, string> value) =>
        text.Contains("${{", StringComparison.Ordinal) ? Embedded().Replace(text, m => Read(m.Groups["ref"].Value) is { } reference ? value(reference) : m.Value) : text;

    /// <summary>A <c>when:</c> condition parsed, or null when it is not a condition this reader knows.</summary>
    public static SpecCondition? ParseCondition(string condition)
    {
        var text = condition.Trim();
        if (Embedded().Match(text) is { Success: true } whole && whole.Length == text.Length)
        {
            text = whole.Groups["ref"].Value;
        }
        var m = Condition().Match(text);
        return m.Success && Read(m.Groups["ref"].Value) is { } reference
            ? new SpecCondition(reference, m.Groups["not"].Success, m.Groups["op"].Success ? m.Groups["op"].Value : null, m.Groups["value"].Success ? m.Groups["value"].Value : null)
            : null;
    }

    private static SpecReference? Read(string text)
    {
        var m = Reference().Match(text.Trim());
        if (!m.Success)
        {
            return null;
        }
        return m.Groups["param"].Success ? new SpecReference(text, m.Groups["param"].Value, null, null)
            : new SpecReference(text, null, m.Groups["step"].Value, m.Groups["output"].Value);
    }
}
