using Kiln.Tabular.Columns;

namespace Kiln.Tabular.Csv;

/// <summary>How <see cref="CsvReader"/> splits, types and parses a file. Immutable; derive variants with <c>with</c>.</summary>
public sealed record CsvReadOptions
{
    /// <summary>The default chunk size for parallel parsing: 4 MiB.</summary>
    public const int DefaultChunkSize = 4 << 20;

    /// <summary>The options used when none are given.</summary>
    public static CsvReadOptions Default { get; } = new();

    /// <summary>The field separator: an ASCII character other than a double quote, CR or LF. Default <c>,</c>.</summary>
    public char Separator { get; init; } = ',';

    /// <summary>Column kinds to use instead of inferring them, by header name (ordinal, case-sensitive).
    /// A column forced to <see cref="ColumnKind.Numeric"/> or <see cref="ColumnKind.Float32"/> fails the read on a value
    /// that is not a number; <see cref="ColumnKind.Categorical"/> and <see cref="ColumnKind.Text"/> keep numbers as strings.
    /// A name that is not in the header fails the read.</summary>
    public IReadOnlyDictionary<string, ColumnKind> ColumnTypes { get; init; } = new Dictionary<string, ColumnKind>();

    /// <summary>Field contents read as a missing value, matched ASCII case-insensitively, quoted or not.
    /// Default: empty, <c>NA</c>, <c>N/A</c>, <c>NaN</c>, <c>null</c>.</summary>
    public IReadOnlyList<string> MissingValues { get; init; } = ["", "NA", "N/A", "NaN", "null"];

    /// <summary>An inferred non-numeric column is categorical when it has at most this many distinct values
    /// (and at most <see cref="MaxCategoricalFraction"/> of the rows); otherwise it is text. Range 0 and up; default 1000.</summary>
    public int MaxCategoricalCardinality { get; init; } = 1000;

    /// <summary>An inferred non-numeric column is categorical only when its distinct count is at most this fraction
    /// of the row count. Range 0 to 1; default 0.5.</summary>
    public double MaxCategoricalFraction { get; init; } = 0.5;

    /// <summary>Target bytes per parallel parse chunk; chunks end on row boundaries. Range 1 and up; default 4 MiB.
    /// Results do not depend on it.</summary>
    public int ChunkSize { get; init; } = DefaultChunkSize;

    /// <summary>At most this many chunks are parsed at once; -1 (default) means one per processor, 1 parses sequentially.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option outside its valid range.</summary>
    public void Validate()
    {
        if (Separator > 127 || Separator is '"' or '\r' or '\n')
        {
            throw new ArgumentException($"Separator '{Separator}' is not allowed: use an ASCII character other than a double quote, CR or LF.", nameof(Separator));
        }
        ArgumentNullException.ThrowIfNull(ColumnTypes);
        ArgumentNullException.ThrowIfNull(MissingValues);
        foreach (var kind in ColumnTypes.Values)
        {
            if (!Enum.IsDefined(kind))
            {
                throw new ArgumentException($"ColumnTypes holds {(int)kind}, which is not a ColumnKind.", nameof(ColumnTypes));
            }
        }
        foreach (var token in MissingValues)
        {
            if (token is null || !System.Text.Ascii.IsValid(token))
            {
                throw new ArgumentException("MissingValues entries must be non-null ASCII strings.", nameof(MissingValues));
            }
        }
        if (MaxCategoricalCardinality < 0)
        {
            throw new ArgumentException($"MaxCategoricalCardinality is {MaxCategoricalCardinality}; it must be 0 or more.", nameof(MaxCategoricalCardinality));
        }
        if (!(MaxCategoricalFraction >= 0 && MaxCategoricalFraction <= 1))
        {
            throw new ArgumentException($"MaxCategoricalFraction is {MaxCategoricalFraction}; it must be between 0 and 1.", nameof(MaxCategoricalFraction));
        }
        if (ChunkSize < 1)
        {
            throw new ArgumentException($"ChunkSize is {ChunkSize}; it must be at least 1 byte.", nameof(ChunkSize));
        }
        if (MaxDegreeOfParallelism is 0 or < -1)
        {
            throw new ArgumentException($"MaxDegreeOfParallelism is {MaxDegreeOfParallelism}; use -1 (all processors) or 1 and up.", nameof(MaxDegreeOfParallelism));
        }
    }
}
