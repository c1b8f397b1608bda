namespace Kiln.Engine.Charts;

/// <summary>One named line of a <see cref="LineChart"/>; <paramref name="X"/> and <paramref name="Y"/> must have the same length.</summary>
/// <param name="Name">Legend text.</param>
/// <param name="X">X values, e.g. iterations.</param>
/// <param name="Y">Y values; NaN or infinite points are skipped and break the line.</param>
public sealed record Series(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y);
