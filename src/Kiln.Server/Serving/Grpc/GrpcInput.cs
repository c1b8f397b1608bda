using Inference;
using Kiln.Core.Errors;

namespace Kiln.Server.Serving.Grpc;

/// <summary>
/// An input tensor of a gRPC <c>ModelInferRequest</c> with its data in the <c>contents</c> field of its datatype; one sent
/// in a <c>raw_input_contents</c> entry is an <see cref="OipRawInput"/>.
/// </summary>
internal sealed class GrpcInput : OipInput
{
    private readonly ModelInferRequest.Types.InferInputTensor _tensor;
    private double[]? _numbers;
    private string?[]? _texts;

    private GrpcInput(ModelInferRequest.Types.InferInputTensor tensor)
        : base(tensor.Name, tensor.Datatype, tensor.Shape.Count > 0 ? tensor.Shape : null) => _tensor = tensor;

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
        return [.. request.Inputs.Select((tensor, i) => raw.Count > 0
            ? new OipRawInput(tensor.Name, tensor.Datatype, tensor.Shape.Count > 0 ? tensor.Shape : null, raw[i].Memory, "raw_input_contents")
            : (OipInput)new GrpcInput(tensor))];
    }

    /// <inheritdoc />
    public override int Count => IsBytes ? Texts.Length : NumbersOf.Length;

    /// <inheritdoc />
    public override double Number(int index) => IsBytes
        ? throw KilnException.Invalid($"Input '{Name}' is BYTES, and the model reads '{Name}' as a number: send it as FP64 (or FP32, INT*, UINT*, BOOL).")
        : NumbersOf[index];

    /// <inheritdoc />
    public override string? Text(int index) => IsBytes ? Texts[index] : NumberText(NumbersOf[index]);

    private bool IsBytes => Datatype == "BYTES";

    private double[] NumbersOf => _numbers ??= Typed();

    private string?[] Texts => _texts ??= [.. (_tensor.Contents?.BytesContents ?? []).Select(b => b.ToStringUtf8())];

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
}
