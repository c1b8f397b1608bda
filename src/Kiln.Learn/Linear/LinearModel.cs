using Kiln.Learn.Data;
using Kiln.Learn.Model;

namespace Kiln.Learn.Linear;

/// <summary>A linear model (see <see cref="LinearLearner"/> and <see cref="LogisticLearner"/>): per output an intercept plus
/// weights on the encoded features (see the remarks), then the identity (regression), the sigmoid (binary) or softmax
/// (multiclass).</summary>
/// <remarks>Numeric features are standardised with the training mean and standard deviation; a missing value is replaced
/// by the training mean (it contributes nothing) and a feature that was constant in training is ignored. Categorical
/// features are one-hot encoded over the training categories; a missing or unknown category sets no column (it
/// contributes nothing).</remarks>
public sealed partial class LinearModel : TrainedModel
{
    internal const string Learner = "linear";

    private readonly FeatureEncoding _encoding;
    private readonly double[] _weights;
    private readonly double[] _intercepts;

    internal LinearModel(ModelSchema schema, FeatureEncoding encoding, double[] weights, double[] intercepts)
        : base(schema)
    {
        _encoding = encoding;
        _weights = weights;
        _intercepts = intercepts;
    }

    /// <inheritdoc />
    public override string LearnerName => Learner;

    /// <summary>The intercept of output <paramref name="output"/> in the features' own units (standardisation undone).</summary>
    public double Intercept(int output = 0)
    {
        var value = _intercepts[output];
        for (var j = 0; j < _encoding.Numeric.Length; j++)
        {
            value -= _weights[(output * _encoding.Width) + j] * _encoding.Scales[j] * _encoding.Means[j];
        }
        return value;
    }

    /// <summary>The weight of numeric feature <paramref name="feature"/> on output <paramref name="output"/>, per unit of
    /// the feature (standardisation undone).</summary>
    /// <exception cref="ArgumentException">No numeric feature has that name.</exception>
    public double Coefficient(string feature, int output = 0)
    {
        var j = Array.IndexOf(_encoding.Numeric, Schema.IndexOf(feature));
        if (j < 0 || Schema.IndexOf(feature) < 0)
        {
            throw new ArgumentException($"'{feature}' is not a numeric feature of this model.", nameof(feature));
        }
        return _weights[(output * _encoding.Width) + j] * _encoding.Scales[j];
    }

    /// <summary>The weight of category <paramref name="category"/> of categorical feature <paramref name="feature"/> on
    /// output <paramref name="output"/>.</summary>
    /// <exception cref="ArgumentException">No categorical feature has that name, or it has no such category.</exception>
    public double Coefficient(string feature, string category, int output = 0)
    {
        var f = Schema.IndexOf(feature);
        var c = f < 0 ? -1 : Array.IndexOf(_encoding.Categorical, f);
        var code = c < 0 ? -1 : Schema.Features[f].Categories.ToList().IndexOf(category);
        if (code < 0)
        {
            throw new ArgumentException($"'{feature}' is not a categorical feature of this model with category '{category}'.", nameof(category));
        }
        return _weights[(output * _encoding.Width) + _encoding.Numeric.Length + _encoding.Offsets[c] + code];
    }

    private protected override void PredictRow(ReadOnlySpan<double> row, Span<double> output)
    {
        var outputs = OutputCount;
        var width = _encoding.Width;
        var numeric = _encoding.Numeric.Length;
        for (var k = 0; k < outputs; k++)
        {
            output[k] = _intercepts[k];
        }
        for (var j = 0; j < numeric; j++)
        {
            var x = _encoding.Standardise(j, row[_encoding.Numeric[j]]);
            if (x != 0)
            {
                for (var k = 0; k < outputs; k++)
                {
                    output[k] += _weights[(k * width) + j] * x;
                }
            }
        }
        for (var c = 0; c < _encoding.Categorical.Length; c++)
        {
            var f = _encoding.Categorical[c];
            var column = _encoding.OneHot(c, row[f], Schema.Features[f].Categories.Count);
            if (column >= 0)
            {
                for (var k = 0; k < outputs; k++)
                {
                    output[k] += _weights[(k * width) + numeric + column];
                }
            }
        }
        switch (Schema.Task)
        {
            case TaskKind.BinaryClassification:
                output[0] = 1 / (1 + Math.Exp(-output[0]));
                break;
            case TaskKind.MulticlassClassification:
                TreeEnsemble.Softmax(output[..outputs]);
                break;
        }
    }

    private protected override void WritePayload(BinaryWriter writer)
    {
        _encoding.Write(writer);
        ModelFile.WriteArray(writer, _weights);
        ModelFile.WriteArray(writer, _intercepts);
    }

    /// <summary>Reads the payload written by <see cref="WritePayload"/>: what <see cref="ModelFile.Load"/> calls for learner "linear".</summary>
    internal static LinearModel Read(BinaryReader reader, ModelSchema schema, IReadOnlyDictionary<string, string> properties)
    {
        var encoding = FeatureEncoding.Read(reader, schema);
        var weights = ModelFile.ReadDoubles(reader);
        var intercepts = ModelFile.ReadDoubles(reader);
        if (intercepts.Length != schema.OutputCount || weights.Length != schema.OutputCount * encoding.Width)
        {
            throw new LearnException("The model file is corrupt: the linear weights do not match the feature schema.");
        }
        return new LinearModel(schema, encoding, weights, intercepts) { Properties = properties };
    }
}
