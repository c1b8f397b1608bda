using System.Buffers.Binary;
using System.Globalization;
using Google.Protobuf;
using Inference;
using Kiln.Core.Errors;

namespace Kiln.Server.Serving.Grpc;

/// <summary>
/// An input tensor of a gRPC <c>ModelInferRequest</c>: its data in the <c>contents</c> field of its datatype, or in its
/// <c>raw_input_contents</c> entry (row-major, little-endian; a BYTES element is a 4-byte little-endian length and its bytes).
/// </summary>
internal sealed class GrpcInput : OipInput
{
    private delegate double Element(ReadOnlySpan<byte> bytes);

    private readonly ModelInferRequest.Types.InferInputTensor _tensor;
    private readonly ByteString? _raw;
    private double[]? _numbers;
    private string?[]? _texts;

    private GrpcInput(ModelInferRequest.Types.InferInputTensor tensor, ByteString? raw)
        : base(tensor.Name, tensor.Datatype, tensor.Shape.Count > 0 ? tensor.Shape : null)
    {
        _tensor = tensor;
        _raw = raw;
    }

    /// <summary>The request's inputs, each with its raw contents when the request sends them so.</summary>
    public static IReadOnlyList<OipInput> ReadAll(ModelInferRequest request)
    {
        var raw = request.RawInputContents;
        if (raw.Count > 0 && raw.Count != request.Inputs.Count)
        {
            throw KilnException.Invalid($"raw_input_contents has {raw.Count} entries for {request.Inputs.Count} inputs: give one per input, in the order of inputs.");
        }
        if (raw.Count > 0 && request.Inputs.FirstOrDefault(i => i.Contents is not null) is { } both)
        {
            throw KilnException.Invalid($"Input '{both.Name}' sets contents while the request sends raw_input_contents: use one or the other for every input.");
        }
        return [.. request.Inputs.Select((tensor, i) => new GrpcInput(tensor, raw.Count > 0 ? raw[i] : null))];
    }

    /// <inheritdoc />
    public override int Count => IsBytes ? Texts.Length : Numbers.Length;

    /// <inheritdoc />
    public override double Number(int index) => IsBytes
        ? throw KilnException.Invalid($"Input '{Name}' is BYTES, and the model reads '{Name}' as a number: send it as FP64 (or FP32, INT*, UINT*, BOOL).")
        : Numbers[index];

    /// <inheritdoc />
    public override string? Text(int index)
    {
        if (IsBytes)
        {
            return Texts[index];
        }
        var value = Numbers[index];
        return double.IsNaN(value) ? null : Datatype == "BOOL" ? (value != 0 ? "true" : "false") : value.ToString("R", CultureInfo.InvariantCulture);
    }

    private bool IsBytes => Datatype == "BYTES";

    private double[] Numbers => _numbers ??= _raw is { } raw ? DecodeRaw(raw.Span) : Typed();

    private string?[] Texts => _texts ??= _raw is { } raw ? DecodeRawBytes(raw.Span) : [.. (_tensor.Contents?.BytesContents ?? []).Select(b => b.ToStringUtf8())];

    private double[] Typed()
    {
        var contents = _tensor.Contents ?? new InferTensorContents();
        return Datatype switch
        {
            "BOOL" => [.. contents.BoolContents.Select(b => b ? 1.0 : 0.0)],
            "INT8" or "INT16" or "INT32" => [.. contents.IntContents.Select(v => (double)v)],
            "INT64" => [.. contents.Int64Contents.Select(v => (double)v)],
            "UINT8" or "UINT16" or "UINT32" => [.. contents.UintContents.Select(v => (double)v)],
            "UINT64" => [.. contents.Uint64Contents.Select(v => (double)v)],
            "FP32" => [.. contents.Fp32Contents.Select(v => (double)v)],
            "FP64" => [.. contents.Fp64Contents],
            "FP16" or "BF16" => throw KilnException.Invalid($"Input '{Name}' is {Datatype}, which has no contents field: send it in raw_input_contents."),
            "" => throw KilnException.Invalid($"Input '{Name}' has no datatype: give one of {string.Join(", ", OipTensors.Datatypes)}."),
            _ => throw KilnException.Invalid($"Input '{Name}' has datatype '{Datatype}', which the protocol does not define: use one of {string.Join(", ", OipTensors.Datatypes)}."),
        };
    }

    private double[] DecodeRaw(ReadOnlySpan<byte> raw)
    {
        Element? element = Datatype switch
        {
            "BOOL" => b => b[0] != 0 ? 1.0 : 0.0,
            "INT8" => b => (sbyte)b[0],
            "UINT8" => b => b[0],
            "INT16" => b => BinaryPrimitives.ReadInt16LittleEndian(b),
            "UINT16" => b => BinaryPrimitives.ReadUInt16LittleEndian(b),
            "FP16" => b => (double)BinaryPrimitives.ReadHalfLittleEndian(b),
            "BF16" => b => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(b) << 16),
            "INT32" => b => BinaryPrimitives.ReadInt32LittleEndian(b),
            "UINT32" => b => BinaryPrimitives.ReadUInt32LittleEndian(b),
            "FP32" => b => BinaryPrimitives.ReadSingleLittleEndian(b),
            "INT64" => b => BinaryPrimitives.ReadInt64LittleEndian(b),
            "UINT64" => b => BinaryPrimitives.ReadUInt64LittleEndian(b),
            "FP64" => b => BinaryPrimitives.ReadDoubleLittleEndian(b),
            _ => null,
        };
        var size = Datatype switch
        {
            "BOOL" or "INT8" or "UINT8" => 1,
            "INT16" or "UINT16" or "FP16" or "BF16" => 2,
            "INT32" or "UINT32" or "FP32" => 4,
            _ => 8,
        };
        if (element is null)
        {
            Typed(); // throws the same error for an unknown or missing datatype
            return [];
        }
        if (raw.Length % size != 0)
        {
            throw KilnException.Invalid($"Input '{Name}': its raw_input_contents has {raw.Length} bytes, not a whole number of {Datatype} elements of {size} bytes.");
        }
        var values = new double[raw.Length / size];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = element(raw.Slice(i * size, size));
        }
        return values;
    }

    private string?[] DecodeRawBytes(ReadOnlySpan<byte> raw)
    {
        var values = new List<string?>();
        while (raw.Length > 0)
        {
            var length = raw.Length >= 4 ? BinaryPrimitives.ReadUInt32LittleEndian(raw) : uint.MaxValue;
            if (length > raw.Length - 4)
            {
                throw KilnException.Invalid(
                    $"Input '{Name}': BYTES element {values.Count} of its raw_input_contents is cut short (each element is a 4-byte little-endian length, then that many bytes).");
            }
            values.Add(System.Text.Encoding.UTF8.GetString(raw.Slice(4, (int)length)));
            raw = raw[(4 + (int)length)..];
        }
        return [.. values];
    }
}
