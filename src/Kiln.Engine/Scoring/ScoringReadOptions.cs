using Kiln.Tabular;

namespace Kiln.Engine.Scoring;

/// <summary>How a file to score is read.</summary>
/// <param name="NaValues">Tokens read as missing besides empty, NA, N/A, NaN and null.</param>
/// <param name="Encoding">The file's encoding: null or utf-8, latin1, windows-1252.</param>
/// <param name="BadValuesAsMissing">Score a value that is not a number in a numeric feature as missing (and count it) instead of failing.</param>
public sealed record ScoringReadOptions(IReadOnlyList<string>? NaValues = null, string? Encoding = null, bool BadValuesAsMissing = false);

/// <summary>Rows read for scoring, and how many bad values were read as missing.</summary>
/// <param name="Table">The rows, typed as the model's schema says.</param>
/// <param name="BadValues">Values that were not numbers in numeric features, scored as missing (0 unless asked for).</param>
public sealed record ScoringData(Table Table, int BadValues);
