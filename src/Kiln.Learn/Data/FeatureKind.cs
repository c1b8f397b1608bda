namespace Kiln.Learn.Data;

/// <summary>How a model reads a feature.</summary>
public enum FeatureKind
{
    /// <summary>A number (from a Float64 or Float32 column). NaN and ±Infinity are missing values.</summary>
    Numeric,

    /// <summary>A category (from a categorical column), given to one-row prediction as its code in
    /// <see cref="FeatureInfo.Categories"/>. Missing codes, and categories the model never saw, are missing values.</summary>
    Categorical,
}
