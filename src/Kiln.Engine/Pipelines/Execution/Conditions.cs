using Kiln.Core.Pipelines;
using Kiln.Engine.Pipelines.Spec;

namespace Kiln.Engine.Pipelines.Execution;

/// <summary>Evaluates <c>when:</c> conditions and substitutes <c>${{ … }}</c> expressions with a run's params and step outputs.</summary>
public static class Conditions
{
    /// <summary>
    /// True when <paramref name="condition"/> holds: a bare reference holds unless its value is empty, <c>false</c> or <c>0</c>;
    /// <c>!</c> negates; <c>==</c> and <c>!=</c> compare the value as text (true/false case-insensitively).
    /// </summary>
    public static bool Holds(string condition, IReadOnlyDictionary<string, string> parameters, IReadOnlyDictionary<string, StepRun> steps)
    {
        var parsed = SpecReferences.ParseCondition(condition) ?? throw new ArgumentException($"'{condition}' is not a condition.", nameof(condition));
        var value = Value(parsed.Reference, parameters, steps) ?? "";
        var result = parsed.Operator switch
        {
            "==" => Same(value, parsed.Operand!),
            "!=" => !Same(value, parsed.Operand!),
            _ => Truthy(value),
        };
        return parsed.Negated ? !result : result;
    }

    /// <summary><paramref name="text"/> with every <c>${{ params.X }}</c> and <c>${{ steps.S.outputs.O }}</c> replaced by its value.</summary>
    public static string Substitute(string text, IReadOnlyDictionary<string, string> parameters, IReadOnlyDictionary<string, StepRun> steps) =>
        SpecReferences.Replace(text, reference => Value(reference, parameters, steps)
            ?? throw new InvalidOperationException(reference.Param is { } p ? $"param '{p}' has no value." : $"step '{reference.Step}' gave no output '{reference.Output}'."));

    private static string? Value(SpecReference reference, IReadOnlyDictionary<string, string> parameters, IReadOnlyDictionary<string, StepRun> steps) =>
        reference.Param is { } param ? parameters.GetValueOrDefault(param)
        : steps.TryGetValue(reference.Step!, out var step) ? step.Outputs.GetValueOrDefault(reference.Output!) : null;

    private static bool Same(string a, string b)
    {
        b = b.Trim('"', '\'');
        return a is "true" or "false" or "True" or "False" ? string.Equals(a, b, StringComparison.OrdinalIgnoreCase) : a == b;
    }

    private static bool Truthy(string value) => value.Length > 0 && !value.Equals("false", StringComparison.OrdinalIgnoreCase) && value != "0";
}
