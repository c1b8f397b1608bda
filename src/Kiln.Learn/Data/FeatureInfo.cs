namespace Kiln.Learn.Data;

/// <summary>One input of a model: its column name, kind and, for a categorical feature, the categories it knows.</summary>
/// <param name="Name">The column name.</param>
/// <param name="Kind">Numeric or categorical.</param>
/// <param name="Categories">The training column's categories (a row's code indexes this list); empty for numeric features.</param>
public sealed record FeatureInfo(string Name, FeatureKind Kind, IReadOnlyList<string> Categories);
