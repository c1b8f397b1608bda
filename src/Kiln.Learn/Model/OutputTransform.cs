namespace Kiln.Learn.Model;

/// <summary>How summed tree or linear scores become predictions.</summary>
internal enum OutputTransform : byte
{
    /// <summary>Scores are the predictions (regression, forest averages).</summary>
    Identity = 0,

    /// <summary>One score, the log-odds of the second class.</summary>
    Sigmoid = 1,

    /// <summary>One score per class, normalised with softmax.</summary>
    Softmax = 2,

    /// <summary>One non-negative score per class, normalised to sum to one (forest class votes).</summary>
    Normalize = 3,
}
