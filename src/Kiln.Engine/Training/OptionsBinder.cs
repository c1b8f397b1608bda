using System.Globalization;
using System.Reflection;
using Kiln.Core.Errors;
using Kiln.Learn;

namespace Kiln.Engine.Training;

/// <summary>
/// Sets a learner's options record from <c>key=value</c> strings (<c>--param max_depth=6</c>): keys match property
/// names ignoring case and underscores; values convert to the property's type. Unknown keys and bad values are
/// errors that list what is valid.
/// </summary>
public static class OptionsBinder
{
    public static T Bind<T>(T defaults, IReadOnlyDictionary<string, string> parameters)
        where T : LearnerOptions
    {
        var properties = Settable(typeof(T));
        var options = defaults with { };
        foreach (var (key, text) in parameters)
        {
            if (!properties.TryGetValue(Normalize(key), out var property))
            {
                throw KilnException.Invalid(
                    $"Unknown parameter '{key}' for learner '{LearnerName(typeof(T))}'. Valid parameters: {string.Join(", ", properties.Values.Select(p => SnakeCase(p.Name)).Order(StringComparer.Ordinal))}.");
            }
            property.SetValue(options, Convert(key, text, property.PropertyType));
        }
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw UserNames(e, typeof(T));
        }
        return options;
    }

    /// <summary>
    /// An options error in the user's names: the learner's option records name properties (<c>MaxDepth</c>); people
    /// pass <c>--param max_depth=…</c>, so the message says <c>max_depth</c>.
    /// </summary>
    public static KilnException UserNames(ArgumentException e, Type optionsType)
    {
        var message = e.Message;
        var paramSuffix = e.ParamName is null ? "" : $" (Parameter '{e.ParamName}')";
        if (paramSuffix.Length > 0 && message.EndsWith(paramSuffix, StringComparison.Ordinal))
        {
            message = message[..^paramSuffix.Length];
        }
        foreach (var property in Settable(optionsType).Values.OrderByDescending(p => p.Name.Length))
        {
            message = System.Text.RegularExpressions.Regex.Replace(message, $@"\b{property.Name}\b", SnakeCase(property.Name));
        }
        return KilnException.Invalid($"Invalid {LearnerName(optionsType)} parameters: {message}");
    }

    /// <summary>gbdt for GbdtOptions, forest for ForestOptions, …</summary>
    private static string LearnerName(Type optionsType) =>
        optionsType.Name.EndsWith("Options", StringComparison.Ordinal) ? optionsType.Name[..^"Options".Length].ToLowerInvariant() : optionsType.Name;

    /// <summary>Every option and its effective value, snake_case keys, for logging as run params.</summary>
    public static Dictionary<string, string> Describe(LearnerOptions options) =>
        Settable(options.GetType()).Values.ToDictionary(p => SnakeCase(p.Name), p => Format(p.GetValue(options)));

    private static Dictionary<string, PropertyInfo> Settable(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract")
            .ToDictionary(p => Normalize(p.Name), p => p);

    private static object Convert(string key, string text, Type type)
    {
        try
        {
            var target = Nullable.GetUnderlyingType(type) ?? type;
            if (target.IsEnum)
            {
                return Enum.Parse(target, text.Replace("_", "", StringComparison.Ordinal), ignoreCase: true);
            }
            return System.Convert.ChangeType(text, target, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException or InvalidCastException)
        {
            var hint = type.IsEnum ? $"one of {string.Join(", ", Enum.GetNames(type).Select(SnakeCase))}" : $"a {type.Name}";
            throw KilnException.Invalid($"Invalid value '{text}' for parameter '{key}': expected {hint}.");
        }
    }

    private static string Format(object? value) => value switch
    {
        null => "",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        Enum e => SnakeCase(e.ToString()),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static string Normalize(string name) => name.Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal).ToLowerInvariant();

    /// <summary>MaxDepth → max_depth.</summary>
    public static string SnakeCase(string name)
    {
        var sb = new System.Text.StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                sb.Append('_');
            }
            sb.Append(char.ToLowerInvariant(name[i]));
        }
        return sb.ToString();
    }
}
