using System.Globalization;
using Kiln.Core.Errors;

namespace Kiln.Engine.Training;

/// <summary>
/// A hyperparameter space from <c>--space</c> strings: <c>max_depth=3,4,6</c> (a list) or, for random search,
/// <c>learning_rate=0.01:0.3</c> (uniform between the bounds; integers when both bounds are integers).
/// </summary>
public sealed class SearchSpace
{
    private readonly List<(string Name, string[]? Values, double Low, double High, bool Integer)> _dimensions = [];

    public static SearchSpace Parse(IEnumerable<string> specs)
    {
        var space = new SearchSpace();
        foreach (var spec in specs)
        {
            var eq = spec.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || eq == spec.Length - 1)
            {
                throw KilnException.Invalid($"Invalid --space '{spec}': use name=v1,v2,… or name=low:high.");
            }
            var name = spec[..eq].Trim();
            var body = spec[(eq + 1)..].Trim();
            var colon = body.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && !body.Contains(',', StringComparison.Ordinal))
            {
                if (!double.TryParse(body[..colon], NumberStyles.Float, CultureInfo.InvariantCulture, out var low) ||
                    !double.TryParse(body[(colon + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var high) || high < low)
                {
                    throw KilnException.Invalid($"Invalid range in --space '{spec}': use low:high with numbers, low ≤ high.");
                }
                var integer = !body.Contains('.', StringComparison.Ordinal) && !body.Contains('e', StringComparison.OrdinalIgnoreCase);
                space._dimensions.Add((name, null, low, high, integer));
            }
            else
            {
                space._dimensions.Add((name, [.. body.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)], 0, 0, false));
            }
        }
        if (space._dimensions.Count == 0)
        {
            throw KilnException.Invalid("A search needs at least one --space, e.g. --space max_depth=3,4,6.");
        }
        return space;
    }

    /// <summary>Every combination of the listed values (ranges are not allowed in a grid).</summary>
    public IEnumerable<Dictionary<string, string>> Grid()
    {
        if (_dimensions.Any(d => d.Values is null))
        {
            throw KilnException.Invalid("Grid search needs value lists (name=v1,v2); ranges (low:high) need --strategy random.");
        }
        IEnumerable<Dictionary<string, string>> combos = [new Dictionary<string, string>()];
        foreach (var (name, values, _, _, _) in _dimensions)
        {
            combos = combos.SelectMany(c => values!.Select(v => new Dictionary<string, string>(c) { [name] = v }));
        }
        return combos;
    }

    /// <summary><paramref name="count"/> random draws, deterministic for a seed.</summary>
    public IEnumerable<Dictionary<string, string>> Random(int count, int seed)
    {
        var rng = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            var draw = new Dictionary<string, string>();
            foreach (var (name, values, low, high, integer) in _dimensions)
            {
                draw[name] = values is not null ? values[rng.Next(values.Length)]
                    : integer ? ((long)low + rng.NextInt64((long)(high - low) + 1)).ToString(CultureInfo.InvariantCulture)
                    : (low + (rng.NextDouble() * (high - low))).ToString("G6", CultureInfo.InvariantCulture);
            }
            yield return draw;
        }
    }

    public override string ToString() => string.Join("; ", _dimensions.Select(d => d.Values is null ? $"{d.Name}={d.Low}:{d.High}" : $"{d.Name}={string.Join(",", d.Values)}"));
}
