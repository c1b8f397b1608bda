using System.Numerics;
using Kiln.Learn.Data;
using Kiln.Learn.Model;

namespace Kiln.Learn.Linear;

/// <summary>How a linear model turns features into its inputs: numeric features standardised with the training mean
/// and standard deviation (a missing value becomes 0, i.e. mean imputation; a constant feature becomes 0), categorical
/// features one-hot over the training categories (a missing or unknown category is all zeros).</summary>
internal sealed class FeatureEncoding
{
    public FeatureEncoding(int[] numeric, double[] means, double[] scales, int[] categorical, int[] offsets, int oneHotCount)
    {
        Numeric = numeric;
        Means = means;
        Scales = scales;
        Categorical = categorical;
        Offsets = offsets;
        OneHotCount = oneHotCount;
        Stride = (numeric.Length + Vector<float>.Count - 1) / Vector<float>.Count * Vector<float>.Count;
    }

    /// <summary>Schema positions of the numeric features.</summary>
    public int[] Numeric { get; }

    public double[] Means { get; }

    /// <summary>1 / standard deviation, or 0 for a feature without spread.</summary>
    public double[] Scales { get; }

    /// <summary>Schema positions of the categorical features.</summary>
    public int[] Categorical { get; }

    /// <summary>Where each categorical feature's one-hot columns start in the one-hot block.</summary>
    public int[] Offsets { get; }

    public int OneHotCount { get; }

    /// <summary>Numeric columns rounded up to whole SIMD vectors (the training matrix's row stride).</summary>
    public int Stride { get; }

    /// <summary>Coefficients per output without padding: numeric, then one-hot.</summary>
    public int Width => Numeric.Length + OneHotCount;

    public static FeatureEncoding Fit(FeatureView view, ModelSchema schema, int threads)
    {
        var numeric = Enumerable.Range(0, schema.Features.Count).Where(f => schema.Features[f].Kind == FeatureKind.Numeric).ToArray();
        var categorical = Enumerable.Range(0, schema.Features.Count).Where(f => schema.Features[f].Kind == FeatureKind.Categorical).ToArray();
        var means = new double[numeric.Length];
        var scales = new double[numeric.Length];
        Parallel.For(0, numeric.Length, new ParallelOptions { MaxDegreeOfParallelism = threads }, j =>
        {
            var column = view.GetColumn(numeric[j]);
            double sum = 0;
            var count = 0;
            foreach (var v in column)
            {
                if (!double.IsNaN(v))
                {
                    sum += v;
                    count++;
                }
            }
            var mean = count == 0 ? 0 : sum / count;
            double squares = 0;
            foreach (var v in column)
            {
                if (!double.IsNaN(v))
                {
                    squares += (v - mean) * (v - mean);
                }
            }
            var std = count == 0 ? 0 : Math.Sqrt(squares / count);
            means[j] = mean;
            scales[j] = std > 1e-12 * Math.Max(1, Math.Abs(mean)) ? 1 / std : 0;
        });
        var offsets = new int[categorical.Length];
        var total = 0;
        for (var c = 0; c < categorical.Length; c++)
        {
            offsets[c] = total;
            total += schema.Features[categorical[c]].Categories.Count;
        }
        return new FeatureEncoding(numeric, means, scales, categorical, offsets, total);
    }

    /// <summary>Standardised value of numeric feature <paramref name="j"/> (0 when missing).</summary>
    public double Standardise(int j, double value) => double.IsNaN(value) ? 0 : (value - Means[j]) * Scales[j];

    /// <summary>The one-hot column (within the one-hot block) of categorical feature <paramref name="c"/>'s code, or -1.</summary>
    public int OneHot(int c, double code, int categoryCount) =>
        double.IsNaN(code) || code < 0 || code >= categoryCount ? -1 : Offsets[c] + (int)code;

    public void Write(BinaryWriter writer)
    {
        ModelFile.WriteArray(writer, Numeric);
        ModelFile.WriteArray(writer, Means);
        ModelFile.WriteArray(writer, Scales);
        ModelFile.WriteArray(writer, Categorical);
        ModelFile.WriteArray(writer, Offsets);
        writer.Write(OneHotCount);
    }

    public static FeatureEncoding Read(BinaryReader reader, ModelSchema schema)
    {
        var numeric = ModelFile.ReadInts(reader);
        var means = ModelFile.ReadDoubles(reader);
        var scales = ModelFile.ReadDoubles(reader);
        var categorical = ModelFile.ReadInts(reader);
        var offsets = ModelFile.ReadInts(reader);
        var oneHot = ModelFile.ReadCount(reader);
        var features = schema.Features;
        var valid = means.Length == numeric.Length && scales.Length == numeric.Length && offsets.Length == categorical.Length
            && numeric.Length + categorical.Length == features.Count
            && numeric.All(f => f >= 0 && f < features.Count && features[f].Kind == FeatureKind.Numeric)
            && categorical.All(f => f >= 0 && f < features.Count && features[f].Kind == FeatureKind.Categorical)
            && oneHot == categorical.Sum(f => features[f].Categories.Count)
            && offsets.Select((o, c) => o + features[categorical[c]].Categories.Count <= oneHot && o >= 0).All(ok => ok);
        if (!valid)
        {
            throw new LearnException("The model file is corrupt: the linear encoding does not match the feature schema.");
        }
        return new FeatureEncoding(numeric, means, scales, categorical, offsets, oneHot);
    }
}
