namespace Kiln.Learn.Trees;

/// <summary>How much a tree model uses one feature.</summary>
/// <param name="Feature">The feature's name.</param>
/// <param name="Gain">Total loss reduction of the splits on it.</param>
/// <param name="Splits">How many splits use it.</param>
public sealed record FeatureImportance(string Feature, double Gain, int Splits);
