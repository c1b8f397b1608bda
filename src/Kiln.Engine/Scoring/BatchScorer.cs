using Kiln.Engine.Flavors;
using Kiln.Engine.Packaging;
using Kiln.Learn;
using Kiln.Tabular;
using Kiln.Tabular.Columns;

namespace Kiln.Engine.Scoring;

/// <summary>Scores a table in slices (so callers can show progress) and appends the output columns to it. Kiln's
/// compiled trees predict each slice on every core; other runtimes (ONNX, ML.NET) get several slices at once.</summary>
public static class BatchScorer
{
    private const int SliceRows = 100_000;
    private const int RuntimeSliceRows = 8_192;

    /// <summary>
    /// Adds <c>probability</c> (binary), <c>probability_&lt;class&gt;</c> (multiclass) or <c>prediction</c> (regression)
    /// and, for classifiers, <c>predicted_&lt;target&gt;</c> with the most likely class.
    /// </summary>
    public static Table Score(IPredictor model, Table input, IProgress<int>? rowsDone = null, CancellationToken ct = default)
    {
        var outputs = model.Schema.OutputCount;
        var all = new double[input.RowCount * outputs];
        var sliceRows = model.GainsFromBatching ? RuntimeSliceRows : SliceRows;
        var slices = (input.RowCount + sliceRows - 1) / sliceRows;
        var done = 0;
        var parallelism = model.GainsFromBatching ? Environment.ProcessorCount : 1;
        Parallel.For(0, slices, new ParallelOptions { CancellationToken = ct, MaxDegreeOfParallelism = parallelism }, slice =>
        {
            var start = slice * sliceRows;
            var count = Math.Min(sliceRows, input.RowCount - start);
            model.Predict(input.Slice(start, count), ct).CopyTo(all, start * outputs);
            rowsDone?.Report(Interlocked.Add(ref done, count));
        });
        var schema = model.Schema;
        var names = MLmodelFile.OutputNamesFor(schema);
        var result = input;
        for (var o = 0; o < outputs; o++)
        {
            var values = new double[input.RowCount];
            for (var row = 0; row < values.Length; row++)
            {
                values[row] = all[(row * outputs) + o];
            }
            result = result.WithColumn(new Float64Column(names[o], values));
        }
        if (schema.Task != TaskKind.Regression)
        {
            var labels = new string?[input.RowCount];
            for (var row = 0; row < labels.Length; row++)
            {
                labels[row] = schema.Task == TaskKind.BinaryClassification
                    ? schema.Classes[all[row] >= schema.DecisionThreshold ? 1 : 0]
                    : schema.Classes[ArgMax(all.AsSpan(row * outputs, outputs))];
            }
            result = result.WithColumn(new TextColumn("predicted_" + schema.Target, labels));
        }
        return result;
    }

    private static int ArgMax(ReadOnlySpan<double> values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }
        return best;
    }
}
