namespace Kiln.Learn.Explanations;

/// <summary>Where the values of <see cref="TrainedModel.Explain(Kiln.Tabular.Table, CancellationToken)"/> are.</summary>
public static class ModelExplanation
{
    /// <summary>The values per row: per output, one contribution per feature, then the bias.</summary>
    public static int Width(TrainedModel model) => model.OutputCount * (model.Schema.Features.Count + 1);

    /// <summary>The index of feature <paramref name="feature"/>'s contribution to <paramref name="output"/> within a row's
    /// values; <paramref name="feature"/> = the feature count gives the bias.</summary>
    public static int Index(TrainedModel model, int output, int feature) => (output * (model.Schema.Features.Count + 1)) + feature;
}
