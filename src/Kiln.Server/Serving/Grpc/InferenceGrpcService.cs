using System.Buffers.Binary;
using Google.Protobuf;
using Grpc.Core;
using Inference;
using Kiln.Engine.Explanations;

namespace Kiln.Server.Serving.Grpc;

/// <summary>
/// The Open Inference Protocol v2 over gRPC (<c>inference.GRPCInferenceService</c>, <c>grpc_predict_v2.proto</c> beside
/// this file), where a model is a deployment: the same tensors (<see cref="OipTensors"/>) and the same scoring path
/// (<see cref="ScoringPath"/>: limits, prediction log, metrics, shadows) as the REST protocol. The <c>kiln-route</c> and
/// <c>kiln-request-id</c> request headers work as over HTTP, and the answer's headers carry <c>kiln-request-id</c>,
/// <c>kiln-route</c> and <c>kiln-model-version</c>. Inputs sent as <c>raw_input_contents</c> are answered in
/// <c>raw_output_contents</c>; typed contents in typed contents. Failures are <see cref="GrpcErrors"/>' status codes.
/// </summary>
internal sealed class InferenceGrpcService(ScoringPath path) : GRPCInferenceService.GRPCInferenceServiceBase
{
    /// <inheritdoc />
    public override Task<ServerLiveResponse> ServerLive(ServerLiveRequest request, ServerCallContext context) => Task.FromResult(new ServerLiveResponse { Live = true });

    /// <inheritdoc />
    public override async Task<ServerReadyResponse> ServerReady(ServerReadyRequest request, ServerCallContext context) =>
        new() { Ready = await context.GetHttpContext().RequestServices.GetRequiredService<ServingReadiness>().NotReadyBecauseAsync(context.CancellationToken) is null };

    /// <inheritdoc />
    public override Task<ServerMetadataResponse> ServerMetadata(ServerMetadataRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerMetadataResponse { Name = "kiln", Version = KilnServer.Version });

    /// <inheritdoc />
    public override async Task<ModelReadyResponse> ModelReady(ModelReadyRequest request, ServerCallContext context)
    {
        await path.ResolveAsync(Request(context, request.Name, request.Version), context.CancellationToken);
        return new ModelReadyResponse { Ready = true };
    }

    /// <inheritdoc />
    public override async Task<ModelMetadataResponse> ModelMetadata(ModelMetadataRequest request, ServerCallContext context)
    {
        var (_, _, served) = await path.ResolveAsync(Request(context, request.Name, request.Version), context.CancellationToken);
        var schema = served.Model.Schema;
        var response = new ModelMetadataResponse { Name = request.Name, Platform = "kiln" };
        if (served.Version is { } v)
        {
            response.Versions.Add(v.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        response.Inputs.AddRange(OipTensors.InputsOf(schema).Select(i => Metadata(i.Name, i.Datatype)));
        response.Outputs.AddRange(OipTensors.OutputsOf(schema).Select(o => Metadata(o.Name, o.Datatype)));
        return response;
    }

    /// <inheritdoc />
    public override async Task<ModelInferResponse> ModelInfer(ModelInferRequest request, ServerCallContext context)
    {
        IReadOnlyList<(string Name, string Datatype)> requested = [];
        var response = new ModelInferResponse { ModelName = request.ModelName, Id = request.Id };
        var explain = Explain(request);
        await path.ScoreAsync(Request(context, request.ModelName, request.ModelVersion), (served, _, _) =>
        {
            if (explain is not null)
            {
                ExplainRequest.ModelOf(served.Model); // a model that cannot explain is an error before it scores
            }
            var inputs = GrpcInput.ReadAll(request);
            requested = OipTensors.Requested(served.Model.Schema, [.. request.Outputs.Select(o => o.Name)]);
            return ValueTask.FromResult<ScoringInput>(OipTensors.ToTable(served.Model.Schema, inputs));
        }, async scored =>
        {
            response.ModelVersion = scored.VersionNumber;
            foreach (var output in OipTensors.Outputs(scored.Served.Model.Schema, scored.Outputs, scored.Table.RowCount, requested))
            {
                var tensor = new ModelInferResponse.Types.InferOutputTensor { Name = output.Name, Datatype = output.Datatype, Shape = { output.Count } };
                if (request.RawInputContents.Count > 0)
                {
                    response.RawOutputContents.Add(Raw(output));
                }
                else
                {
                    tensor.Contents = Typed(output);
                }
                response.Outputs.Add(tensor);
            }
            if (explain is not null)
            {
                AddExplanations(response, ExplanationTensors.Build(ExplainRequest.ModelOf(scored.Served.Model), scored.Table, scored.Outputs, explain),
                    raw: request.RawInputContents.Count > 0);
            }
            var headers = new Metadata { { "kiln-request-id", scored.RequestId }, { "kiln-route", scored.Route.Name } };
            if (scored.ModelVersion is { } version)
            {
                headers.Add("kiln-model-version", version);
            }
            await context.WriteResponseHeadersAsync(headers);
        }, context.CancellationToken);
        return response;
    }

    /// <summary>The request's <c>explain</c> (bool) and <c>explain_top</c> (int64) parameters.</summary>
    private static ExplainRequest? Explain(ModelInferRequest request)
    {
        if (!request.Parameters.TryGetValue("explain", out var flag))
        {
            return null;
        }
        if (flag.ParameterChoiceCase != InferParameter.ParameterChoiceOneofCase.BoolParam)
        {
            throw Kiln.Core.Errors.KilnException.Invalid("The explain parameter must be a bool_param.");
        }
        if (!flag.BoolParam)
        {
            return null;
        }
        var top = 3L;
        if (request.Parameters.TryGetValue("explain_top", out var t))
        {
            top = t.ParameterChoiceCase == InferParameter.ParameterChoiceOneofCase.Int64Param && t.Int64Param is >= 1 and <= 20
                ? t.Int64Param
                : throw Kiln.Core.Errors.KilnException.Invalid("explain_top must be an int64_param from 1 to 20 (reason codes per row).");
        }
        return new ExplainRequest((int)top);
    }

    private static void AddExplanations(ModelInferResponse response, ExplanationTensors tensors, bool raw)
    {
        var contributions = new ModelInferResponse.Types.InferOutputTensor
        {
            Name = ExplanationTensors.ContributionsName, Datatype = "FP64", Shape = { tensors.Rows, tensors.Columns.Count },
            Parameters = { ["columns"] = new InferParameter { StringParam = string.Join(',', tensors.Columns) } },
        };
        var reasons = new ModelInferResponse.Types.InferOutputTensor
        {
            Name = ExplanationTensors.ReasonsName, Datatype = "BYTES", Shape = { tensors.Rows, tensors.Top },
        };
        var (numbers, texts) = (new OipOutput(ExplanationTensors.ContributionsName, "FP64", tensors.Contributions, null),
            new OipOutput(ExplanationTensors.ReasonsName, "BYTES", null, tensors.Reasons));
        if (raw)
        {
            response.RawOutputContents.Add(Raw(numbers));
            response.RawOutputContents.Add(Raw(texts));
        }
        else
        {
            contributions.Contents = Typed(numbers);
            reasons.Contents = Typed(texts);
        }
        response.Outputs.Add(contributions);
        response.Outputs.Add(reasons);
    }

    private static ScoringRequest Request(ServerCallContext context, string name, string version) =>
        new(name, context.RequestHeaders.GetValue("kiln-route"), version.Length > 0 ? version : null, context.RequestHeaders.GetValue("kiln-request-id"));

    private static ModelMetadataResponse.Types.TensorMetadata Metadata(string name, string datatype) => new() { Name = name, Datatype = datatype, Shape = { -1 } };

    private static InferTensorContents Typed(OipOutput output)
    {
        var contents = new InferTensorContents();
        if (output.Numbers is { } numbers)
        {
            contents.Fp64Contents.AddRange(numbers);
        }
        else
        {
            contents.BytesContents.AddRange(output.Texts!.Select(ByteString.CopyFromUtf8));
        }
        return contents;
    }

    /// <summary>Row-major little-endian FP64s, or BYTES elements as a 4-byte little-endian length and their UTF-8.</summary>
    private static ByteString Raw(OipOutput output)
    {
        if (output.Numbers is { } numbers)
        {
            var bytes = new byte[numbers.Length * 8];
            for (var i = 0; i < numbers.Length; i++)
            {
                BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(i * 8), numbers[i]);
            }
            return UnsafeByteOperations.UnsafeWrap(bytes);
        }
        using var stream = new MemoryStream();
        Span<byte> length = stackalloc byte[4];
        foreach (var text in output.Texts!)
        {
            var utf8 = System.Text.Encoding.UTF8.GetBytes(text);
            BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)utf8.Length);
            stream.Write(length);
            stream.Write(utf8);
        }
        return ByteString.CopyFrom(stream.ToArray());
    }
}
