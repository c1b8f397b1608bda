using System.Globalization;
using Kiln.Engine.Flavors;
using Kiln.Learn;
using Kiln.Learn.Data;
using Kiln.Tabular;
using Kiln.Tabular.Columns;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Kiln.Flavors.MlNet;

/// <summary>
/// An ML.NET model zip. Its saved input schema gives the features (scalar columns other than the label: Single,
/// Double, Int32, Int64 and Boolean are numeric, Text is categorical); the output columns give the task —
/// <c>Probability</c> (binary), a vector <c>Score</c> (multiclass, classes from its slot names) or a scalar <c>Score</c>
/// (regression). Requests are scored through the model's transformer chain on a view of the request's table.
/// </summary>
public sealed class MlNetPredictor : IPredictor
{
    private readonly ITransformer _model;
    private readonly DataViewSchema _input;
    private readonly int _label;
    private readonly string _output;

    /// <summary>Loads the zip at <paramref name="path"/>.</summary>
    /// <exception cref="LearnException">ML.NET cannot load it, or its inputs or outputs are of a kind Kiln does not serve.</exception>
    public MlNetPredictor(string path, ModelHints hints)
    {
        var ml = new MLContext(seed: 0);
        ml.ComponentCatalog.RegisterAssembly(typeof(Microsoft.ML.Trainers.FastTree.FastTreeBinaryTrainer).Assembly);
        try
        {
            _model = ml.Model.Load(path, out var input);
            _input = input ?? throw new LearnException($"'{Path.GetFileName(path)}' was saved without its input schema: save it with mlContext.Model.Save(model, data.Schema, path).");
        }
        catch (Exception e) when (e is not LearnException and (InvalidOperationException or FormatException or InvalidDataException or ArgumentException))
        {
            throw new LearnException($"ML.NET cannot load '{Path.GetFileName(path)}': {e.Message}");
        }
        // the label the pipeline trained on is in the saved schema but not read when scoring; the target evaluation reads
        // may be named differently in the data (--target)
        var target = hints.Target ?? "Label";
        _label = (_input.GetColumnOrNull(target) ?? _input.GetColumnOrNull("Label"))?.Index ?? -1;
        var features = new List<FeatureInfo>();
        foreach (var column in _input)
        {
            if (column.Index == _label || column.IsHidden)
            {
                continue;
            }
            if (column.Type is VectorDataViewType)
            {
                throw new LearnException($"ML.NET input column '{column.Name}' is a vector: Kiln serves models whose inputs are one column per feature (Concatenate them inside the pipeline).");
            }
            features.Add(new FeatureInfo(column.Name, column.Type is TextDataViewType ? FeatureKind.Categorical : FeatureKind.Numeric, []));
        }
        if (hints.Features is { } given && !given.SequenceEqual(features.Select(f => f.Name)))
        {
            throw new LearnException($"The ML.NET model names its inputs {string.Join(", ", features.Select(f => f.Name))}; drop --features (they cannot be renamed).");
        }
        var output = _model.GetOutputSchema(_input);
        TaskKind task;
        IReadOnlyList<string> classes;
        if (output.GetColumnOrNull("Probability") is { } probability && probability.Type == NumberDataViewType.Single)
        {
            (task, _output, classes) = (TaskKind.BinaryClassification, "Probability", hints.Classes ?? ["False", "True"]);
        }
        else if (output.GetColumnOrNull("Score") is { } score && score.Type is VectorDataViewType vector)
        {
            var names = new VBuffer<ReadOnlyMemory<char>>();
            var fromSlots = score.HasSlotNames() ? SlotNames(score, ref names) : null;
            classes = hints.Classes ?? fromSlots ?? [.. Enumerable.Range(0, vector.Size).Select(i => i.ToString(CultureInfo.InvariantCulture))];
            (task, _output) = (TaskKind.MulticlassClassification, "Score");
        }
        else if (output.GetColumnOrNull("Score") is { } value && value.Type == NumberDataViewType.Single)
        {
            (task, _output, classes) = (TaskKind.Regression, "Score", []);
        }
        else
        {
            throw new LearnException("The ML.NET model has neither a Probability nor a Score column: Kiln serves binary, multiclass and regression models.");
        }
        Schema = new ModelSchema(task, hints.Target ?? (_label >= 0 ? _input[_label].Name : target), features, classes);
    }

    private static IReadOnlyList<string> SlotNames(DataViewSchema.Column score, ref VBuffer<ReadOnlyMemory<char>> names)
    {
        score.GetSlotNames(ref names);
        return [.. names.DenseValues().Select(n => n.ToString())];
    }

    /// <inheritdoc />
    public string Flavor => "mlnet";

    /// <inheritdoc />
    public ModelSchema Schema { get; }

    /// <inheritdoc />
    public bool GainsFromBatching => true;

    /// <inheritdoc />
    public double[] Predict(Table table, CancellationToken ct = default)
    {
        var rows = table.RowCount;
        var columns = new Column[_input.Count];
        foreach (var column in _input)
        {
            columns[column.Index] = column.Index == _label
                ? new Float64Column(column.Name, new double[rows]) // the label is not read when scoring, but the schema has it
                : table.TryGetColumn(column.Name, out var found) ? found
                : throw new LearnException($"The input has no column '{column.Name}', which the model needs.");
        }
        var scored = _model.Transform(new TableDataView(_input, columns, rows));
        var output = scored.Schema[_output];
        var width = Schema.OutputCount;
        var result = new double[rows * width];
        using var cursor = scored.GetRowCursor([output]);
        var row = 0;
        if (output.Type is VectorDataViewType)
        {
            var getter = cursor.GetGetter<VBuffer<float>>(output);
            var buffer = default(VBuffer<float>);
            while (cursor.MoveNext())
            {
                ct.ThrowIfCancellationRequested();
                getter(ref buffer);
                var k = 0;
                foreach (var v in buffer.DenseValues())
                {
                    result[(row * width) + k++] = v;
                }
                row++;
            }
        }
        else
        {
            var getter = cursor.GetGetter<float>(output);
            var value = 0f;
            while (cursor.MoveNext())
            {
                getter(ref value);
                result[row++] = value;
            }
        }
        return result;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        (_model as IDisposable)?.Dispose();
    }
}
