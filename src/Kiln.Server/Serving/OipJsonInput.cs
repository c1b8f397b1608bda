using System.Text.Json;
using Kiln.Core.Errors;

namespace Kiln.Server.Serving;

/// <summary>An input tensor of the Open Inference Protocol's REST body: <c>{"name", "datatype", "shape", "data"}</c>, data nested or flat.</summary>
internal sealed class OipJsonInput : OipInput
{
    private readonly JsonElement _tensor;
    private List<JsonElement>? _data;

    private OipJsonInput(string name, string datatype, IReadOnlyList<long>? shape, JsonElement tensor)
        : base(name, datatype, shape) => _tensor = tensor;

    /// <summary>The body's <c>"inputs"</c>.</summary>
    public static IReadOnlyList<OipInput> ReadAll(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("inputs", out var inputs) || inputs.ValueKind != JsonValueKind.Array)
        {
            throw KilnException.Invalid("The request needs \"inputs\": [{\"name\", \"shape\", \"datatype\", \"data\"}, …].");
        }
        return [.. inputs.EnumerateArray().Select(Read)];
    }

    /// <summary>The names in the body's <c>"outputs": [{"name"}, …]</c>, if any.</summary>
    public static IReadOnlyCollection<string> RequestedOutputs(JsonElement body) =>
        body.TryGetProperty("outputs", out var outputs) && outputs.ValueKind == JsonValueKind.Array
            ? [.. outputs.EnumerateArray().Select(o => o.ValueKind == JsonValueKind.Object && o.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String
                ? n.GetString()! : throw KilnException.Invalid("Every requested output needs a \"name\"."))]
            : [];

    /// <inheritdoc />
    public override int Count => Data.Count;

    /// <inheritdoc />
    public override double Number(int index)
    {
        var x = Data[index];
        return x.ValueKind switch
        {
            JsonValueKind.Number => x.GetDouble(),
            JsonValueKind.True => 1.0,
            JsonValueKind.False => 0.0,
            JsonValueKind.Null => double.NaN,
            _ => throw KilnException.Invalid($"Input '{Name}', element {index}: {x.GetRawText()} is not a number (send the tensor as FP64)."),
        };
    }

    /// <inheritdoc />
    public override string? Text(int index)
    {
        var x = Data[index];
        return x.ValueKind switch
        {
            JsonValueKind.Null => null,
            JsonValueKind.String => x.GetString(),
            _ => x.GetRawText(),
        };
    }

    private List<JsonElement> Data => _data ??= _tensor.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Array
        ? [.. Flatten(d)]
        : throw KilnException.Invalid($"Input '{Name}' has no \"data\" array.");

    private static OipJsonInput Read(JsonElement tensor)
    {
        var name = tensor.ValueKind == JsonValueKind.Object && tensor.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()!
            : throw KilnException.Invalid("Every input needs a \"name\" (the feature it carries).");
        var datatype = !tensor.TryGetProperty("datatype", out var t) ? ""
            : t.ValueKind == JsonValueKind.String ? t.GetString()! : throw KilnException.Invalid($"Input '{name}': \"datatype\" must be a string such as \"FP64\" or \"BYTES\".");
        List<long>? shape = null;
        if (tensor.TryGetProperty("shape", out var s))
        {
            shape = s.ValueKind == JsonValueKind.Array && s.EnumerateArray().All(d => d.ValueKind == JsonValueKind.Number && d.TryGetInt64(out _))
                ? [.. s.EnumerateArray().Select(d => d.GetInt64())]
                : throw KilnException.Invalid($"Input '{name}': \"shape\" must be a list of whole numbers, e.g. [rows] or [rows, 1].");
        }
        return new OipJsonInput(name, datatype, shape, tensor);
    }

    private static IEnumerable<JsonElement> Flatten(JsonElement array) =>
        array.EnumerateArray().SelectMany(x => x.ValueKind == JsonValueKind.Array ? Flatten(x) : [x]);
}
