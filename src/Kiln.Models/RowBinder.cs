using System.Linq.Expressions;
using System.Reflection;
using Kiln.Learn.Data;

namespace Kiln.Models;

/// <summary>Compiles, once per row type, a getter per feature so that scoring a row reads members without reflection or boxing.</summary>
internal static class RowBinder<TRow>
{
    public static (Func<TRow, double>[] Numbers, Func<TRow, string?>?[] Texts, Dictionary<string, int>?[] Codes) Bind(ModelSchema schema)
    {
        var members = typeof(TRow).GetMembers(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => m is PropertyInfo { CanRead: true, GetMethod.IsPublic: true } p && p.GetIndexParameters().Length == 0 || m is FieldInfo)
            .ToList();
        var numbers = new Func<TRow, double>[schema.Features.Count];
        var texts = new Func<TRow, string?>?[schema.Features.Count];
        var codes = new Dictionary<string, int>?[schema.Features.Count];
        var problems = new List<string>();
        for (var f = 0; f < schema.Features.Count; f++)
        {
            var feature = schema.Features[f];
            var member = Find(members, feature.Name);
            if (member is null)
            {
                problems.Add($"feature '{feature.Name}' ({Describe(feature)}) has no property or field in {typeof(TRow).Name}; add one, or name one with [Feature(\"{feature.Name}\")]");
                continue;
            }
            var type = member is PropertyInfo p ? p.PropertyType : ((FieldInfo)member).FieldType;
            var row = Expression.Parameter(typeof(TRow), "row");
            var value = Expression.MakeMemberAccess(row, member);
            if (feature.Kind == FeatureKind.Numeric)
            {
                if (NumberOf(value, type) is not { } number)
                {
                    problems.Add($"feature '{feature.Name}' is numeric but {typeof(TRow).Name}.{member.Name} is {type.Name}; use a number type (double, float, int, long, decimal, bool, or nullable)");
                    continue;
                }
                numbers[f] = Expression.Lambda<Func<TRow, double>>(number, row).Compile();
                continue;
            }
            var categories = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var c = 0; c < feature.Categories.Count; c++)
            {
                categories[feature.Categories[c]] = c;
            }
            codes[f] = categories;
            if (type == typeof(string))
            {
                texts[f] = Expression.Lambda<Func<TRow, string?>>(value, row).Compile();
            }
            else if ((Nullable.GetUnderlyingType(type) ?? type) is { IsEnum: true } enumType)
            {
                // An enum's code is fixed per value: map each value's name to its category's code once, here (the exact
                // name first, else ignoring case, so Region.North reads the category "north"); other values are missing.
                var ignoringCase = feature.Categories.Select((name, code) => (name, code)).DistinctBy(c => c.name, StringComparer.OrdinalIgnoreCase)
                    .ToDictionary(c => c.name, c => c.code, StringComparer.OrdinalIgnoreCase);
                // aliases (two names, one value) keep the first name's category; unsigned values wrap as the compiled conversion does
                var byValue = new Dictionary<long, double>();
                foreach (var v in Enum.GetValues(enumType).Cast<object>())
                {
                    var raw = Enum.GetUnderlyingType(enumType) == typeof(ulong) ? unchecked((long)Convert.ToUInt64(v, System.Globalization.CultureInfo.InvariantCulture))
                        : Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture);
                    byValue.TryAdd(raw, categories.TryGetValue(v.ToString()!, out var known) || ignoringCase.TryGetValue(v.ToString()!, out known) ? known : double.NaN);
                }
                var lookup = Expression.Constant(byValue);
                Expression asLong = type.IsEnum ? Expression.Convert(value, typeof(long))
                    : Expression.Condition(Expression.Property(value, "HasValue"), Expression.Convert(Expression.Property(value, "Value"), typeof(long)), Expression.Constant(long.MinValue));
                var code = Expression.Variable(typeof(double), "code");
                var body = Expression.Block(typeof(double), [code],
                    Expression.Condition(
                        Expression.Call(lookup, typeof(Dictionary<long, double>).GetMethod("TryGetValue")!, asLong, code),
                        code, Expression.Constant(double.NaN)));
                numbers[f] = Expression.Lambda<Func<TRow, double>>(body, row).Compile();
            }
            else
            {
                problems.Add($"feature '{feature.Name}' is categorical but {typeof(TRow).Name}.{member.Name} is {type.Name}; use string or an enum");
            }
        }
        return problems.Count == 0
            ? (numbers, texts, codes)
            : throw new ArgumentException($"{typeof(TRow).Name} does not fit the model: {string.Join("; ", problems)}.", nameof(TRow));
    }

    private static MemberInfo? Find(List<MemberInfo> members, string feature) =>
        members.FirstOrDefault(m => m.GetCustomAttribute<FeatureAttribute>()?.Name == feature)
        ?? members.FirstOrDefault(m => m.GetCustomAttribute<FeatureAttribute>() is null && m.Name == feature)
        ?? members.FirstOrDefault(m => m.GetCustomAttribute<FeatureAttribute>() is null && Simplify(m.Name) == Simplify(feature));

    private static string Simplify(string name) => name.Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal).ToUpperInvariant();

    private static string Describe(FeatureInfo feature) => feature.Kind == FeatureKind.Numeric ? "numeric" : $"categorical: {string.Join(", ", feature.Categories.Take(5))}{(feature.Categories.Count > 5 ? ", …" : "")}";

    /// <summary>The member as a double (missing as NaN), or null for a type that is not a number.</summary>
    private static Expression? NumberOf(Expression value, Type type)
    {
        if (Nullable.GetUnderlyingType(type) is { } inner)
        {
            return NumberOf(Expression.Property(value, "Value"), inner) is { } number
                ? Expression.Condition(Expression.Property(value, "HasValue"), number, Expression.Constant(double.NaN))
                : null;
        }
        if (type == typeof(bool))
        {
            return Expression.Condition(value, Expression.Constant(1.0), Expression.Constant(0.0));
        }
        return type == typeof(double) ? value
            : type == typeof(float) || type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(byte)
              || type == typeof(uint) || type == typeof(ulong) || type == typeof(ushort) || type == typeof(sbyte) || type == typeof(decimal)
                ? Expression.Convert(value, typeof(double))
                : null;
    }
}
