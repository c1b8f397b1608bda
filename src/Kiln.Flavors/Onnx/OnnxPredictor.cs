using System.Globalization;
using Kiln.Engine.Flavors;
using Kiln.Learn;
using Kiln.Learn.Data;
using Kiln.Tabular;
using Kiln.Tabular.Columns;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Kiln.Flavors.Onnx;

/// <summary>
/// An ONNX model run by ONNX Runtime. Inputs come in one of two layouts: one 2-D tensor <c>[rows, features]</c> (the
/// features named by the MLmodel signature or <c>--features</c>, else <c>f0…</c>), or one tensor per feature
/// (<c>[rows]</c> or <c>[rows, 1]</c>, named as the feature; string tensors are categorical). A classifier is a model
/// with a probabilities output <c>[rows, classes]</c>; otherwise the first numeric output is a regression's prediction.
/// </summary>
public sealed class OnnxPredictor : IPredictor
{
    private readonly InferenceSession _session;
    private readonly Input[] _inputs;
    private readonly bool _packed;
    private readonly string _output;
    private readonly string[] _outputNames;

    private sealed record Input(string Name, Type Element, int Width);

    /// <summary>Loads the model at <paramref name="path"/> and works out its layout.</summary>
    /// <exception cref="LearnException">ONNX Runtime cannot load it, or its inputs and outputs fit neither layout.</exception>
    public OnnxPredictor(string path, ModelHints hints)
    {
        try
        {
            // one thread per call: a server runs many calls at once, and each small call is faster on one core
            using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
            _session = new InferenceSession(path, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new LearnException($"ONNX Runtime cannot load '{Path.GetFileName(path)}': {e.Message}");
        }
        try
        {
            (_inputs, _packed, var features) = Inputs(_session, hints);
            (_output, var task, var classCount) = Output(_session);
            _outputNames = [_output];
            var classes = task == TaskKind.Regression ? []
                : hints.Classes is { } given ? (given.Count == classCount ? given : throw new LearnException($"{given.Count} class label(s) were given but the model outputs {classCount} probabilities."))
                : Enumerable.Range(0, classCount).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToList();
            Schema = new ModelSchema(task, hints.Target ?? "label", features, classes);
        }
        catch
        {
            _session.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public string Flavor => "onnx";

    /// <inheritdoc />
    public ModelSchema Schema { get; }

    /// <inheritdoc />
    public bool GainsFromBatching => true;

    /// <inheritdoc />
    public double[] Predict(Table table, CancellationToken ct = default)
    {
        var rows = table.RowCount;
        var values = new List<NamedOnnxValue>(_inputs.Length);
        if (_packed)
        {
            var input = _inputs[0];
            values.Add(Packed(table, input, rows));
        }
        else
        {
            for (var i = 0; i < _inputs.Length; i++)
            {
                values.Add(Single(Column(table, Schema.Features[i].Name), _inputs[i], rows));
            }
        }
        using var results = _session.Run(values, _outputNames);
        var output = results.First();
        var result = new double[rows * Schema.OutputCount];
        switch (output.Value)
        {
            case Tensor<float> f: Copy(f, result, rows); break;
            case Tensor<double> d: Copy(d, result, rows); break;
            default: throw new LearnException($"ONNX output '{_output}' is not a float tensor.");
        }
        return result;
    }

    private void Copy<T>(Tensor<T> tensor, double[] result, int rows)
        where T : struct, IConvertible
    {
        var width = tensor.Dimensions.Length > 1 ? tensor.Dimensions[1] : 1;
        var outputs = Schema.OutputCount;
        var take = Schema.Task == TaskKind.BinaryClassification ? 1 : 0; // the probability of the second class
        for (var row = 0; row < rows; row++)
        {
            for (var k = 0; k < outputs; k++)
            {
                result[(row * outputs) + k] = tensor.GetValue((row * width) + k + take).ToDouble(CultureInfo.InvariantCulture);
            }
        }
    }

    private NamedOnnxValue Packed(Table table, Input input, int rows)
    {
        var columns = Schema.Features.Select(f => Numeric(Column(table, f.Name))).ToArray();
        if (input.Element == typeof(double))
        {
            var tensor = new DenseTensor<double>([rows, columns.Length]);
            var span = tensor.Buffer.Span;
            for (var row = 0; row < rows; row++)
            {
                for (var f = 0; f < columns.Length; f++)
                {
                    span[(row * columns.Length) + f] = Value(columns[f], row);
                }
            }
            return NamedOnnxValue.CreateFromTensor(input.Name, tensor);
        }
        var floats = new DenseTensor<float>([rows, columns.Length]);
        var fs = floats.Buffer.Span;
        for (var row = 0; row < rows; row++)
        {
            for (var f = 0; f < columns.Length; f++)
            {
                fs[(row * columns.Length) + f] = (float)Value(columns[f], row);
            }
        }
        return NamedOnnxValue.CreateFromTensor(input.Name, floats);
    }

    private static NamedOnnxValue Single(Column column, Input input, int rows)
    {
        int[] shape = input.Width == 0 ? [rows] : [rows, 1];
        if (input.Element == typeof(string))
        {
            var strings = new DenseTensor<string>(shape);
            for (var row = 0; row < rows; row++)
            {
                strings.SetValue(row, column.FormatValue(row) ?? "");
            }
            return NamedOnnxValue.CreateFromTensor(input.Name, strings);
        }
        var numeric = Numeric(column);
        return input.Element switch
        {
            _ when input.Element == typeof(double) => NamedOnnxValue.CreateFromTensor(input.Name, Fill(new DenseTensor<double>(shape), rows, r => Value(numeric, r))),
            _ when input.Element == typeof(long) => NamedOnnxValue.CreateFromTensor(input.Name, Fill(new DenseTensor<long>(shape), rows, r => (long)Value(numeric, r))),
            _ when input.Element == typeof(int) => NamedOnnxValue.CreateFromTensor(input.Name, Fill(new DenseTensor<int>(shape), rows, r => (int)Value(numeric, r))),
            _ when input.Element == typeof(bool) => NamedOnnxValue.CreateFromTensor(input.Name, Fill(new DenseTensor<bool>(shape), rows, r => Value(numeric, r) != 0)),
            _ => NamedOnnxValue.CreateFromTensor(input.Name, Fill(new DenseTensor<float>(shape), rows, r => (float)Value(numeric, r))),
        };
    }

    private static DenseTensor<T> Fill<T>(DenseTensor<T> tensor, int rows, Func<int, T> value)
    {
        var span = tensor.Buffer.Span;
        for (var row = 0; row < rows; row++)
        {
            span[row] = value(row);
        }
        return tensor;
    }

    private static double Value(NumericColumn column, int row) => column.IsMissing(row) ? double.NaN : column.GetValue(row);

    private static Column Column(Table table, string name) => table.TryGetColumn(name, out var column) ? column
        : throw new LearnException($"The input has no column '{name}', which the model needs.");

    private static NumericColumn Numeric(Column column) => column as NumericColumn
        ?? throw new LearnException($"Column '{column.Name}' must be numeric: the ONNX model reads it as a number.");

    private static (Input[] Inputs, bool Packed, IReadOnlyList<FeatureInfo> Features) Inputs(InferenceSession session, ModelHints hints)
    {
        var metadata = session.InputMetadata;
        if (metadata.Count == 1 && metadata.First().Value is { IsTensor: true } only && only.Dimensions.Length == 2 && only.Dimensions[1] > 0
            && (only.Dimensions[1] > 1 || hints.Features is { Count: 1 }) && only.ElementType != typeof(string))
        {
            var width = only.Dimensions[1];
            var names = hints.Features ?? [.. Enumerable.Range(0, width).Select(i => "f" + i.ToString(CultureInfo.InvariantCulture))];
            if (names.Count != width)
            {
                throw new LearnException($"{names.Count} feature name(s) were given but the ONNX input '{metadata.First().Key}' has {width} columns.");
            }
            return ([new Input(metadata.First().Key, only.ElementType, width)], true, [.. names.Select(n => new FeatureInfo(n, FeatureKind.Numeric, []))]);
        }
        var inputs = new List<Input>();
        var features = new List<FeatureInfo>();
        foreach (var (name, node) in metadata)
        {
            if (!node.IsTensor || node.Dimensions.Length > 2 || (node.Dimensions.Length == 2 && node.Dimensions[1] != 1))
            {
                throw new LearnException($"ONNX input '{name}' has shape [{string.Join(", ", node.Dimensions)}]: Kiln serves one [rows, features] tensor or one [rows] / [rows, 1] tensor per feature.");
            }
            inputs.Add(new Input(name, node.ElementType, node.Dimensions.Length - 1));
            features.Add(new FeatureInfo(name, node.ElementType == typeof(string) ? FeatureKind.Categorical : FeatureKind.Numeric, []));
        }
        return ([.. inputs], false, features);
    }

    private static (string Name, TaskKind Task, int Classes) Output(InferenceSession session)
    {
        var numeric = session.OutputMetadata.Where(o => o.Value.IsTensor && (o.Value.ElementType == typeof(float) || o.Value.ElementType == typeof(double))).ToList();
        var probabilities = numeric.FirstOrDefault(o => o.Value.Dimensions.Length == 2 && o.Value.Dimensions[1] >= 2);
        if (probabilities.Key is not null)
        {
            var classes = probabilities.Value.Dimensions[1];
            return (probabilities.Key, classes == 2 ? TaskKind.BinaryClassification : TaskKind.MulticlassClassification, classes);
        }
        if (session.OutputMetadata.Any(o => !o.Value.IsTensor))
        {
            throw new LearnException("The ONNX model's probabilities are a sequence of maps (skl2onnx's ZipMap): export it with options={'zipmap': False} so they are a [rows, classes] tensor.");
        }
        if (numeric.Count == 0)
        {
            throw new LearnException("The ONNX model has no float output for Kiln to serve as a prediction or probabilities.");
        }
        return (numeric[0].Key, TaskKind.Regression, 0);
    }

    /// <inheritdoc />
    public void Dispose() => _session.Dispose();
}
