using Kiln.Learn.Data;

namespace Kiln.Learn.Linear;

/// <summary>Encoded training rows: standardised numeric features as floats, row-major with <see cref="FeatureEncoding.Stride"/>
/// (zero padding), and each row's one-hot column per categorical feature (-1 = none). One-hot columns are never
/// materialised: a linear model reads them as a single weight lookup.</summary>
internal sealed class DesignMatrix
{
    /// <summary>Rows per work block: the unit of parallel work and of the deterministic partial sums.</summary>
    public const int BlockRows = 2048;

    private DesignMatrix(FeatureEncoding encoding, float[] numeric, int[] codes, int rows)
    {
        Encoding = encoding;
        Numeric = numeric;
        Codes = codes;
        Rows = rows;
    }

    public FeatureEncoding Encoding { get; }

    public float[] Numeric { get; }

    public int[] Codes { get; }

    public int Rows { get; }

    public int Stride => Encoding.Stride;

    public int CategoricalCount => Encoding.Categorical.Length;

    public int BlockCount => (Rows + BlockRows - 1) / BlockRows;

    public static DesignMatrix Create(FeatureView view, ModelSchema schema, FeatureEncoding encoding, int threads, CancellationToken cancellationToken)
    {
        var rows = view.RowCount;
        var stride = encoding.Stride;
        var cats = encoding.Categorical.Length;
        var numeric = new float[(long)rows * stride];
        var codes = new int[rows * cats];
        var blocks = (rows + BlockRows - 1) / BlockRows;
        Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancellationToken },
            () => new double[BlockRows],
            (b, _, buffer) =>
            {
                var start = b * BlockRows;
                var count = Math.Min(BlockRows, rows - start);
                var values = buffer.AsSpan(0, count);
                for (var j = 0; j < encoding.Numeric.Length; j++)
                {
                    view.Fill(encoding.Numeric[j], start, values);
                    for (var i = 0; i < count; i++)
                    {
                        numeric[((long)(start + i) * stride) + j] = (float)encoding.Standardise(j, values[i]);
                    }
                }
                for (var c = 0; c < cats; c++)
                {
                    var f = encoding.Categorical[c];
                    view.Fill(f, start, values);
                    var categories = schema.Features[f].Categories.Count;
                    for (var i = 0; i < count; i++)
                    {
                        codes[((start + i) * cats) + c] = encoding.OneHot(c, values[i], categories);
                    }
                }
                return buffer;
            },
            _ => { });
        return new DesignMatrix(encoding, numeric, codes, rows);
    }
}
