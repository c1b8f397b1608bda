namespace Kiln.Tabular.Columns;

/// <summary>What a column holds and how it is stored.</summary>
public enum ColumnKind
{
    /// <summary>Numbers stored as <see cref="double"/>; NaN marks a missing value.</summary>
    Numeric,

    /// <summary>Numbers stored as <see cref="float"/> (half the memory); NaN marks a missing value.</summary>
    Float32,

    /// <summary>Dictionary-encoded strings: <see cref="int"/> codes into a category list; -1 marks a missing value.</summary>
    Categorical,

    /// <summary>Free text stored as one string per row; null marks a missing value.</summary>
    Text,
}
