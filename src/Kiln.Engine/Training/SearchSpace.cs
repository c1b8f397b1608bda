using System.Globalization;
using Kiln.Core.Errors;

namespace Kiln.Engine.Training;

/// <summary>
/// A hyperparameter space from <c>--space</c> strings: <c>max_depth=3,4,6</c> (a list); for random search also
/// <c>learning_rate=0.01:0.3</c> (uniform between the bounds; integers when both bounds are integers) and
/// <c>learning_rate=log:0.01:0.3</c> (log-uniform: as likely between 0.01 and 0.03 as between 0.1 and 0.3).
/// </summary>
public sealed class SearchSpace
{
    private readonly List<Dimension> _dimensions = [];

    /// <summary>The names of the dimensions.</summary>
    public IReadOnlyList<string> Names => [.. _dimensions.Select(d => d.Name)];

    public static SearchSpace Parse(IEnumerable<string> specs)
    {
        var space = new SearchSpace();
        foreach (var spec in specs)
        {
            var eq = spec.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || eq == spec.Length - 1)
            {
                throw KilnException.Invalid($"Invalid --space '{spec}': use name=v1,v2,… or name=low:high or name=log:low:high.");
            }
            var name = spec[..eq].Trim();
            var body = spec[(eq + 1)..].Trim();
            var log = body.StartsWith("log:", StringComparison.OrdinalIgnoreCase);
            if (log)
            {
                body = body[4..];
            }
            var colon = body.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && !body.Contains(',', StringComparison.Ordinal))
            {
                if (!double.TryParse(body[..colon], NumberStyles.Float, CultureInfo.InvariantCulture, out var low) ||
                    !double.TryParse(body[(colon + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var high) || high < low)
                {
                    throw KilnException.Invalid($"Invalid range in --space '{spec}': use low:high with numbers, low ≤ high.");
                }
                if (log && low <= 0)
                {
                    throw KilnException.Invalid($"Invalid range in --space '{spec}': a log range needs low > 0.");
                }
                var integer = !log && !body.Contains('.', StringComparison.Ordinal) && !body.Contains('e', StringComparison.OrdinalIgnoreCase);
                space._dimensions.Add(new Dimension(name, null, low, high, integer, log));
            }
            else if (log)
            {
                throw KilnException.Invalid($"Invalid --space '{spec}': log: takes a range, e.g. {name}=log:0.01:0.3.");
            }
            else
            {
                space._dimensions.Add(new Dimension(name, [.. body.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal)], 0, 0, false, false));
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
        foreach (var dimension in _dimensions)
        {
            combos = combos.SelectMany(c => dimension.Values!.Select(v => new Dictionary<string, string>(c) { [dimension.Name] = v }));
        }
        return combos;
    }

    /// <summary>
    /// Up to <paramref name="count"/> random draws, deterministic for a seed, no two alike: a space of lists with fewer
    /// combinations than <paramref name="count"/> gives each combination once.
    /// </summary>
    public IEnumerable<Dictionary<string, string>> Random(int count, int seed)
    {
        var rng = new Random(seed);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var finite = _dimensions.All(d => d.Values is not null || (d.Integer && !d.Log));
        var combinations = finite ? _dimensions.Aggregate(1.0, (n, d) => n * (d.Values?.Length ?? (d.High - d.Low + 1))) : double.PositiveInfinity;
        var target = (int)Math.Min(count, combinations);
        for (var attempts = 0; seen.Count < target && attempts < 1000 * Math.Max(1, count); attempts++)
        {
            var draw = new Dictionary<string, string>();
            foreach (var d in _dimensions)
            {
                draw[d.Name] = d.Draw(rng);
            }
            if (seen.Add(string.Join("\u001f", _dimensions.Select(d => draw[d.Name]))))
            {
                yield return draw;
            }
        }
    }

    public override string ToString() => string.Join("; ", _dimensions);

    private sealed record Dimension(string Name, string[]? Values, double Low, double High, bool Integer, bool Log)
    {
        public string Draw(Random rng) =>
            Values is not null ? Values[rng.Next(Values.Length)]
            : Integer ? ((long)Low + rng.NextInt64((long)(High - Low) + 1)).ToString(CultureInfo.InvariantCulture)
            : Log ? Math.Exp(Math.Log(Low) + (rng.NextDouble() * (Math.Log(High) - Math.Log(Low)))).ToString("G6", CultureInfo.InvariantCulture)
            : (Low + (rng.NextDouble() * (High - Low))).ToString("G6", CultureInfo.InvariantCulture);

        public override string ToString() =>
            Values is not null ? $"{Name}={string.Join(",", Values)}"
            : $"{Name}={(Log ? "log:" : "")}{Low.ToString(CultureInfo.InvariantCulture)}:{High.ToString(CultureInfo.InvariantCulture)}";
    }
}
