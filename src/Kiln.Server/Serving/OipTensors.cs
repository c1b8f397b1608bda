using Kiln.Core.Errors;
using Kiln.Learn;
using Kiln.Learn.Data;
using Kiln.Tabular;
using Kiln.Tabular.Columns;

namespace Kiln.Server.Serving;

/// <summary>
/// The Open Inference Protocol's tensors for a Kiln model, for REST and gRPC alike: each feature is one input tensor by
/// name (shape <c>[rows]</c> or <c>[rows, 1]</c>; BOOL, INT*, UINT*, FP* for numbers, BYTES for categories); the outputs
/// are <c>probability</c> (FP64) and <c>prediction</c> (BYTES) for a binary classifier, <c>prediction</c> (FP64) for a
/// regressor, <c>prediction</c> (BYTES) for a multiclass classifier. Every error names the tensor.
/// </summary>
public static class OipTensors
{
    /// <summary>The datatypes the protocol defines.</summary>
    public static IReadOnlyList<string> Datatypes { get; } =
        ["BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64", "FP16", "BF16", "FP32", "FP64", "BYTES"];

    /// <summary>The model's inputs: each feature, FP64 or BYTES.</summary>
    public static IReadOnlyList<(string Name, string Datatype)> InputsOf(ModelSchema schema) =>
        [.. schema.Features.Select(f => (f.Name, f.Kind == FeatureKind.Categorical ? "BYTES" : "FP64"))];

    /// <summary>The model's outputs.</summary>
    public static IReadOnlyList<(string Name, string Datatype)> OutputsOf(ModelSchema schema) => schema.Task switch
    {
        TaskKind.Regression => [("prediction", "FP64")],
        TaskKind.BinaryClassification => [("probability", "FP64"), ("prediction", "BYTES")],
        _ => [("prediction", "BYTES")],
    };

    /// <summary>Reads the input tensors into a table of the model's features (tensors the model does not take are ignored).</summary>
    public static Table ToTable(ModelSchema schema, IReadOnlyList<OipInput> inputs)
    {
        var byName = new Dictionary<string, OipInput>(StringComparer.Ordinal);
        foreach (var input in inputs)
        {
            if (!byName.TryAdd(input.Name, input))
            {
                throw KilnException.Invalid($"Input '{input.Name}' is given twice.");
            }
        }
        var missing = schema.Features.Where(f => !byName.ContainsKey(f.Name)).Select(f => f.Name).ToList();
        if (missing.Count > 0)
        {
            throw KilnException.Invalid($"Missing input tensor(s) {string.Join(", ", missing.Select(m => $"'{m}'"))}: the model needs {string.Join(", ", schema.Features.Select(f => f.Name))}.");
        }
        var rows = -1;
        var columns = new List<Column>(schema.Features.Count);
        foreach (var feature in schema.Features)
        {
            var input = byName[feature.Name];
            if (input.Datatype.Length > 0 && !Datatypes.Contains(input.Datatype))
            {
                throw KilnException.Invalid($"Input '{input.Name}' has datatype '{input.Datatype}', which the protocol does not define: use one of {string.Join(", ", Datatypes)}.");
            }
            var count = input.Count;
            CheckShape(input, count);
            if (rows >= 0 && count != rows)
            {
                throw KilnException.Invalid($"Input '{input.Name}' has {count} values, other inputs {rows}: every input needs one value per row.");
            }
            rows = count;
            if (feature.Kind == FeatureKind.Categorical)
            {
                columns.Add(CategoricalColumn.FromValues(feature.Name, Enumerable.Range(0, count).Select(input.Text)));
                continue;
            }
            columns.Add(new Float64Column(feature.Name, input.Numbers()));
        }
        return new Table(columns);
    }

    /// <summary>Checks the outputs a request asks for by name (none: all of them); an unknown name is INVALID_PARAMETER_VALUE.</summary>
    public static IReadOnlyList<(string Name, string Datatype)> Requested(ModelSchema schema, IReadOnlyCollection<string> names)
    {
        var all = OutputsOf(schema);
        if (names.Count == 0)
        {
            return all;
        }
        foreach (var name in names.Where(n => !all.Any(o => o.Name == n)))
        {
            throw KilnException.Invalid($"Output '{name}' does not exist: the model's outputs are {string.Join(", ", all.Select(o => o.Name))}.");
        }
        return [.. all.Where(o => names.Contains(o.Name))];
    }

    /// <summary>The output tensors of <paramref name="rows"/> rows of the model's <paramref name="outputs"/>, those <paramref name="requested"/> only.</summary>
    public static IReadOnlyList<OipOutput> Outputs(ModelSchema schema, double[] outputs, int rows, IReadOnlyList<(string Name, string Datatype)> requested) =>
        [.. requested.Select(o => o.Datatype == "FP64"
            ? new OipOutput(o.Name, o.Datatype, outputs[..rows], null) // a binary classifier's probability of the second class, or a regressor's value
            : new OipOutput(o.Name, o.Datatype, null, [.. Enumerable.Range(0, rows).Select(r => Predicted(schema, outputs, r))]))];

    private static void CheckShape(OipInput input, int count)
    {
        if (input.Shape is not { Count: > 0 } shape)
        {
            return;
        }
        var text = $"[{string.Join(", ", shape)}]";
        if (shape.Count > 2 || (shape.Count == 2 && shape[1] != 1))
        {
            throw KilnException.Invalid($"Input '{input.Name}' has shape {text}: each input carries one feature, as shape [rows] or [rows, 1].");
        }
        if (shape[0] != count)
        {
            throw KilnException.Invalid($"Input '{input.Name}' has shape {text} but {count} values: the shape's first dimension is the number of rows.");
        }
    }

    private static string Predicted(ModelSchema schema, double[] outputs, int row)
    {
        if (schema.Task == TaskKind.BinaryClassification)
        {
            return schema.Classes[outputs[row] >= schema.DecisionThreshold ? 1 : 0];
        }
        var width = schema.OutputCount;
        var best = 0;
        for (var c = 1; c < width; c++)
        {
            best = outputs[(row * width) + c] > outputs[(row * width) + best] ? c : best;
        }
        return schema.Classes[best];
    }
}

/// <summary>One output tensor of shape <c>[rows]</c>: numbers (FP64) or texts (BYTES).</summary>
/// <param name="Name">The output's name.</param>
/// <param name="Datatype">FP64 or BYTES.</param>
/// <param name="Numbers">An FP64 output's values.</param>
/// <param name="Texts">A BYTES output's values.</param>
public sealed record OipOutput(string Name, string Datatype, double[]? Numbers, string[]? Texts)
{
    /// <summary>The number of rows.</summary>
    public int Count => Numbers?.Length ?? Texts!.Length;
}
