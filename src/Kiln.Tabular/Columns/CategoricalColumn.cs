namespace Kiln.Tabular.Columns;

/// <summary>A dictionary-encoded column of strings: each row holds a code into <see cref="Categories"/>, or -1 when missing.</summary>
/// <remarks>Row selections keep the full category list, so codes mean the same thing in a training and a test split.</remarks>
public sealed class CategoricalColumn : Column
{
    /// <summary>The code that marks a missing value.</summary>
    public const int MissingCode = -1;

    private readonly int[] _codes;
    private readonly string[] _categories;

    /// <summary>Wraps <paramref name="codes"/> and <paramref name="categories"/> without copying; the caller must not change them afterwards.</summary>
    /// <exception cref="ArgumentException">A code is outside [-1, categories.Length), or a category is null or repeated.</exception>
    public CategoricalColumn(string name, int[] codes, string[] categories)
        : this(name, codes, categories, validate: true)
    {
    }

    private CategoricalColumn(string name, int[] codes, string[] categories, bool validate)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(codes);
        ArgumentNullException.ThrowIfNull(categories);
        if (validate)
        {
            Validate(name, codes, categories);
        }
        _codes = codes;
        _categories = categories;
    }

    /// <inheritdoc />
    public override ColumnKind Kind => ColumnKind.Categorical;

    /// <inheritdoc />
    public override int Length => _codes.Length;

    /// <summary>One code per row: an index into <see cref="Categories"/>, or <see cref="MissingCode"/>.</summary>
    public ReadOnlySpan<int> Codes => _codes;

    /// <summary>The distinct category strings; a code is an index into this list.</summary>
    public IReadOnlyList<string> Categories => _categories;

    /// <summary>The number of categories.</summary>
    public int CategoryCount => _categories.Length;

    /// <summary>The category at <paramref name="row"/>, or null when missing.</summary>
    public string? this[int row] => GetValue(row);

    /// <summary>Builds a column from raw strings (null = missing); categories are sorted in ordinal order.</summary>
    public static CategoricalColumn FromValues(string name, IEnumerable<string?> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var list = values as IReadOnlyList<string?> ?? [.. values];
        var distinct = new HashSet<string>(StringComparer.Ordinal);
        foreach (var value in list)
        {
            if (value is not null)
            {
                distinct.Add(value);
            }
        }
        var categories = distinct.ToArray();
        Array.Sort(categories, StringComparer.Ordinal);
        var index = new Dictionary<string, int>(categories.Length, StringComparer.Ordinal);
        for (var i = 0; i < categories.Length; i++)
        {
            index[categories[i]] = i;
        }
        var codes = new int[list.Count];
        for (var i = 0; i < codes.Length; i++)
        {
            codes[i] = list[i] is { } value ? index[value] : MissingCode;
        }
        return new CategoricalColumn(name, codes, categories, validate: false);
    }

    /// <summary>Wraps trusted data without validation (the CSV reader builds codes it knows are in range).</summary>
    internal static CategoricalColumn CreateTrusted(string name, int[] codes, string[] categories) =>
        new(name, codes, categories, validate: false);

    /// <summary>The category at <paramref name="row"/>, or null when missing.</summary>
    public string? GetValue(int row)
    {
        var code = _codes[row];
        return code < 0 ? null : _categories[code];
    }

    /// <summary>The code of <paramref name="category"/>, or -1 when the column does not have it.</summary>
    public int IndexOf(string category) => Array.IndexOf(_categories, category);

    /// <inheritdoc />
    public override bool IsMissing(int row) => _codes[row] < 0;

    /// <inheritdoc />
    public override int CountMissing()
    {
        var missing = 0;
        foreach (var code in _codes)
        {
            if (code < 0)
            {
                missing++;
            }
        }
        return missing;
    }

    /// <inheritdoc />
    public override string? FormatValue(int row) => GetValue(row);

    /// <inheritdoc />
    public override CategoricalColumn Take(ReadOnlySpan<int> rows)
    {
        CheckRows(rows, _codes.Length);
        var result = GC.AllocateUninitializedArray<int>(rows.Length);
        for (var i = 0; i < rows.Length; i++)
        {
            result[i] = _codes[rows[i]];
        }
        return new CategoricalColumn(Name, result, _categories, validate: false);
    }

    /// <inheritdoc />
    public override CategoricalColumn Slice(int start, int count)
    {
        CheckRange(start, count, _codes.Length);
        return new CategoricalColumn(Name, _codes.AsSpan(start, count).ToArray(), _categories, validate: false);
    }

    /// <inheritdoc />
    public override CategoricalColumn Rename(string name) => new(name, _codes, _categories, validate: false);

    private static void Validate(string name, int[] codes, string[] categories)
    {
        var seen = new HashSet<string>(categories.Length, StringComparer.Ordinal);
        foreach (var category in categories)
        {
            if (category is null)
            {
                throw new ArgumentException($"Column '{name}': a category is null; missing values are code -1, not a null category.", nameof(categories));
            }
            if (!seen.Add(category))
            {
                throw new ArgumentException($"Column '{name}': category '{category}' appears twice; categories must be distinct.", nameof(categories));
            }
        }
        for (var i = 0; i < codes.Length; i++)
        {
            if (codes[i] < MissingCode || codes[i] >= categories.Length)
            {
                throw new ArgumentException($"Column '{name}': row {i} has code {codes[i]}, outside [-1, {categories.Length}).", nameof(codes));
            }
        }
    }
}
