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

    /// <summary>
    /// The body's <c>"inputs"</c>. An input whose <c>parameters</c> give <c>binary_data_size</c> takes that many bytes of
    /// <paramref name="binary"/> (the bytes after the JSON header of the binary tensor data extension), inputs in order;
    /// together they must take all of it.
    /// </summary>
    public static IReadOnlyList<OipInput> ReadAll(JsonElement body, ReadOnlyMemory<byte> binary = default)
    {
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("inputs", out var inputs) || inputs.ValueKind != JsonValueKind.Array)
        {
            throw KilnException.Invalid("The request needs \"inputs\": [{\"name\", \"shape\", \"datatype\", \"data\"}, …].");
        }
        var read = new List<OipInput>();
        var at = 0;
        foreach (var tensor in inputs.EnumerateArray())
        {
            var input = Read(tensor);
            if (BinarySize(tensor, input.Name) is not { } size)
            {
                read.Add(input);
                continue;
            }
            if (tensor.TryGetProperty("data", out _))
            {
                throw KilnException.Invalid($"Input '{input.Name}' gives both \"data\" and binary_data_size: send its elements one way.");
            }
            if (size > binary.Length - at)
            {
                throw KilnException.Invalid(binary.Length == 0
                    ? $"Input '{input.Name}' has binary_data_size {size}, but the request has no binary data: send the JSON's length in the Inference-Header-Content-Length header and the tensors' bytes after it."
                    : $"Input '{input.Name}' has binary_data_size {size}, but only {binary.Length - at} bytes of binary data are left after the inputs before it.");
            }
            read.Add(new OipRawInput(input.Name, input.Datatype, input.Shape, binary.Slice(at, (int)size), "binary data"));
            at += (int)size;
        }
        if (at != binary.Length)
        {
            throw KilnException.Invalid($"The request carries {binary.Length} bytes of binary data, but its inputs' binary_data_size add up to {at}.");
        }
        return read;
    }

    /// <summary>An input's <c>parameters.binary_data_size</c>, if it gives one.</summary>
    private static long? BinarySize(JsonElement tensor, string name)
    {
        if (!tensor.TryGetProperty("parameters", out var parameters) || parameters.ValueKind != JsonValueKind.Object
            || !parameters.TryGetProperty("binary_data_size", out var size))
        {
            return null;
        }
        return size.ValueKind == JsonValueKind.Number && size.TryGetInt64(out var bytes) && bytes >= 0
            ? bytes
            : throw KilnException.Invalid($"Input '{name}': binary_data_size must be a whole number of bytes, not {size.GetRawText()}.");
    }

    /// <summary>Whether the answer's outputs go as binary data: all of them (<c>parameters.binary_data_output</c>), or those
    /// the request names with <c>parameters.binary_data</c> true.</summary>
    public static Func<string, bool> BinaryOutputs(JsonElement body)
    {
        if (body.TryGetProperty("parameters", out var parameters) && parameters.ValueKind == JsonValueKind.Object
            && parameters.TryGetProperty("binary_data_output", out var all) && all.ValueKind == JsonValueKind.True)
        {
            return _ => true;
        }
        var named = new HashSet<string>(StringComparer.Ordinal);
        if (body.TryGetProperty("outputs", out var outputs) && outputs.ValueKind == JsonValueKind.Array)
        {
            foreach (var output in outputs.EnumerateArray())
            {
                if (output.ValueKind == JsonValueKind.Object && output.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String
                    && output.TryGetProperty("parameters", out var p) && p.ValueKind == JsonValueKind.Object
                    && p.TryGetProperty("binary_data", out var binary) && binary.ValueKind == JsonValueKind.True)
                {
                    named.Add(name.GetString()!);
                }
            }
        }
        return named.Contains;
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
