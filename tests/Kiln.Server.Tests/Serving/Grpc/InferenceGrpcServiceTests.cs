using System.Buffers.Binary;
using System.Net;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Inference;
using Kiln.Testing;

namespace Kiln.Server.Tests.Serving.Grpc;

/// <summary>
/// The Open Inference Protocol over gRPC, called by a real Grpc.Net.Client (generated from the server's proto) on a real
/// server's gRPC port: health and metadata, the same probabilities as MLflow's REST protocol for typed, FP32 and raw
/// contents, errors as status codes, the prediction log and metrics, and a serving replica.
/// </summary>
public sealed class InferenceGrpcServiceTests : IAsyncLifetime
{
    private static readonly (double Income, double Debt, string Region)[] Rows = [(0.875, 0.125, "north"), (0.125, 0.875, "south"), (0.5, 0.25, "east")];

    private KilnTestServer _server = null!;
    private GrpcChannel _channel = null!;
    private GRPCInferenceService.GRPCInferenceServiceClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await KilnTestServer.StartAsync();
        await LoanDeployment.CreateAsync(_server);
        _channel = GrpcChannel.ForAddress(_server.GrpcUri);
        _client = new GRPCInferenceService.GRPCInferenceServiceClient(_channel);
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Health_and_metadata_describe_the_deployment_as_a_model()
    {
        Assert.True((await _client.ServerLiveAsync(new ServerLiveRequest())).Live);
        Assert.True((await _client.ServerReadyAsync(new ServerReadyRequest())).Ready);
        Assert.Equal("kiln", (await _client.ServerMetadataAsync(new ServerMetadataRequest())).Name);
        Assert.True((await _client.ModelReadyAsync(new ModelReadyRequest { Name = "loan" })).Ready);

        var meta = await _client.ModelMetadataAsync(new ModelMetadataRequest { Name = "loan" });
        Assert.Equal(["1"], meta.Versions);
        Assert.Equal(["income:FP64", "debt:FP64", "region:BYTES"], meta.Inputs.Select(i => $"{i.Name}:{i.Datatype}"));
        Assert.Equal(["probability:FP64", "prediction:BYTES"], meta.Outputs.Select(o => $"{o.Name}:{o.Datatype}"));
        Assert.All(meta.Inputs, i => Assert.Equal([-1L], i.Shape));

        var unknown = await Assert.ThrowsAsync<RpcException>(async () => await _client.ModelMetadataAsync(new ModelMetadataRequest { Name = "nope" }));
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        var otherVersion = await Assert.ThrowsAsync<RpcException>(async () => await _client.ModelReadyAsync(new ModelReadyRequest { Name = "loan", Version = "7" }));
        Assert.Equal(StatusCode.NotFound, otherVersion.StatusCode);
    }

    [Fact]
    public async Task Typed_fp64_fp32_and_raw_contents_score_what_rest_invocations_scores()
    {
        var expected = await LoanDeployment.ProbabilitiesAsync(_server.Http, Rows);

        var fp64 = Request();
        fp64.Id = "req-9";
        fp64.Inputs.Add(Tensor("income", "FP64", [Rows.Length, 1], c => c.Fp64Contents.AddRange(Rows.Select(r => r.Income))));
        fp64.Inputs.Add(Tensor("debt", "FP64", [Rows.Length], c => c.Fp64Contents.AddRange(Rows.Select(r => r.Debt))));
        fp64.Inputs.Add(Regions());
        using (var call = _client.ModelInferAsync(fp64))
        {
            var response = await call;
            Assert.Equal(("req-9", "loan", "1"), (response.Id, response.ModelName, response.ModelVersion));
            Assert.Equal(expected, Output(response, "probability").Contents.Fp64Contents);
            Assert.Equal([Rows.Length], Output(response, "probability").Shape);
            var predictions = Output(response, "prediction").Contents.BytesContents.Select(b => b.ToStringUtf8()).ToList();
            Assert.Equal(expected.Select(p => p >= 0.5 ? "1" : "0"), predictions);
            var headers = await call.ResponseHeadersAsync;
            Assert.Equal(("champion", "loan/1"), (headers.GetValue("kiln-route"), headers.GetValue("kiln-model-version")));
        }

        var fp32 = Request(); // every value exact in single precision, so the same rows
        fp32.Inputs.Add(Tensor("income", "FP32", [Rows.Length], c => c.Fp32Contents.AddRange(Rows.Select(r => (float)r.Income))));
        fp32.Inputs.Add(Tensor("debt", "FP32", [Rows.Length], c => c.Fp32Contents.AddRange(Rows.Select(r => (float)r.Debt))));
        fp32.Inputs.Add(Regions());
        Assert.Equal(expected, Output(await _client.ModelInferAsync(fp32), "probability").Contents.Fp64Contents);

        var raw = Request();
        raw.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = "income", Datatype = "FP64", Shape = { Rows.Length } });
        raw.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = "debt", Datatype = "FP32", Shape = { Rows.Length } });
        raw.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = "region", Datatype = "BYTES", Shape = { Rows.Length } });
        raw.RawInputContents.Add(LittleEndian(Rows.Select(r => r.Income), 8, (b, v) => BinaryPrimitives.WriteDoubleLittleEndian(b, v)));
        raw.RawInputContents.Add(LittleEndian(Rows.Select(r => r.Debt), 4, (b, v) => BinaryPrimitives.WriteSingleLittleEndian(b, (float)v)));
        raw.RawInputContents.Add(LengthPrefixed(Rows.Select(r => r.Region)));
        var rawResponse = await _client.ModelInferAsync(raw);
        Assert.Equal(2, rawResponse.RawOutputContents.Count);
        Assert.All(rawResponse.Outputs, o => Assert.Null(o.Contents));
        var probabilities = rawResponse.RawOutputContents[rawResponse.Outputs.IndexOf(Output(rawResponse, "probability"))].ToByteArray();
        Assert.Equal(expected, Enumerable.Range(0, Rows.Length).Select(i => BinaryPrimitives.ReadDoubleLittleEndian(probabilities.AsSpan(i * 8))));
        var classes = rawResponse.RawOutputContents[rawResponse.Outputs.IndexOf(Output(rawResponse, "prediction"))];
        Assert.Equal(LengthPrefixed(expected.Select(p => p >= 0.5 ? "1" : "0")), classes);

        var only = Request();
        only.Inputs.Add(fp64.Inputs);
        only.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "probability" });
        Assert.Equal(["probability"], (await _client.ModelInferAsync(only)).Outputs.Select(o => o.Name));
    }

    [Fact]
    public async Task Bad_requests_are_status_codes_with_the_rest_protocols_messages()
    {
        var missing = Request();
        missing.Inputs.Add(Tensor("income", "FP64", [1], c => c.Fp64Contents.Add(0.5)));
        var e = await Assert.ThrowsAsync<RpcException>(async () => await _client.ModelInferAsync(missing));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("Missing input tensor(s) 'debt', 'region'", e.Status.Detail);

        var shortDebt = Request();
        shortDebt.Inputs.Add(Tensor("income", "FP64", [2], c => c.Fp64Contents.Add([0.5, 0.25])));
        shortDebt.Inputs.Add(Tensor("debt", "FP64", [1], c => c.Fp64Contents.Add(0.5)));
        shortDebt.Inputs.Add(Tensor("region", "BYTES", [2], c => c.BytesContents.Add([ByteString.CopyFromUtf8("north"), ByteString.CopyFromUtf8("east")])));
        e = await Assert.ThrowsAsync<RpcException>(async () => await _client.ModelInferAsync(shortDebt));
        Assert.Equal((StatusCode.InvalidArgument, "Input 'debt' has 1 values, other inputs 2: every input needs one value per row."), (e.StatusCode, e.Status.Detail));

        var wrongShape = Request();
        wrongShape.Inputs.Add(Tensor("income", "FP64", [2], c => c.Fp64Contents.Add(0.5)));
        e = await Assert.ThrowsAsync<RpcException>(async () => await _client.ModelInferAsync(Complete(wrongShape)));
        Assert.Contains("Input 'income' has shape [2] but 1 values", e.Status.Detail);

        var text = Request();
        text.Inputs.Add(Tensor("income", "BYTES", [1], c => c.BytesContents.Add(ByteString.CopyFromUtf8("plenty"))));
        e = await Assert.ThrowsAsync<RpcException>(async () => await _client.ModelInferAsync(Complete(text)));
        Assert.Contains("Input 'income' is BYTES, and the model reads 'income' as a number", e.Status.Detail);

        var cut = Request();
        cut.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = "income", Datatype = "FP64", Shape = { 1 } });
        cut.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = "debt", Datatype = "FP64", Shape = { 1 } });
        cut.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = "region", Datatype = "BYTES", Shape = { 1 } });
        cut.RawInputContents.Add([ByteString.CopyFrom(1, 2, 3), LittleEndian([0.5], 8, (b, v) => BinaryPrimitives.WriteDoubleLittleEndian(b, v)), LengthPrefixed(["north"])]);
        e = await Assert.ThrowsAsync<RpcException>(async () => await _client.ModelInferAsync(cut));
        Assert.Equal((StatusCode.InvalidArgument, "Input 'income': its raw_input_contents has 3 bytes, not a whole number of FP64 elements of 8 bytes."), (e.StatusCode, e.Status.Detail));

        var unknown = Request();
        unknown.ModelName = "nope";
        e = await Assert.ThrowsAsync<RpcException>(async () => await _client.ModelInferAsync(unknown));
        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        Assert.Contains("nope", e.Status.Detail);
    }

    [Fact]
    public async Task Inference_over_grpc_and_rest_reaches_the_prediction_log_and_the_metrics()
    {
        var grpc = Request();
        grpc.Inputs.Add(Tensor("income", "FP64", [2], c => c.Fp64Contents.Add([0.875, 0.125])));
        grpc.Inputs.Add(Tensor("debt", "FP64", [2], c => c.Fp64Contents.Add([0.125, 0.875])));
        grpc.Inputs.Add(Tensor("region", "BYTES", [2], c => c.BytesContents.Add([ByteString.CopyFromUtf8("north"), ByteString.CopyFromUtf8("south")])));
        using (var call = _client.ModelInferAsync(grpc, new Metadata { { "kiln-request-id", "grpc-1" } }))
        {
            await call;
            Assert.Equal("grpc-1", (await call.ResponseHeadersAsync).GetValue("kiln-request-id"));
        }
        using var rest = new HttpRequestMessage(HttpMethod.Post, "/v2/models/loan/infer")
        {
            Content = new StringContent("""
                {"inputs": [{"name": "income", "datatype": "FP64", "shape": [1], "data": [0.5]}, {"name": "debt", "datatype": "FP64", "shape": [1], "data": [0.25]},
                            {"name": "region", "datatype": "BYTES", "shape": [1], "data": ["east"]}]}
                """, Encoding.UTF8, "application/json"),
        };
        rest.Headers.Add("Kiln-Request-Id", "oip-1");
        using (var response = await _server.Http.SendAsync(rest))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("oip-1", response.Headers.GetValues("Kiln-Request-Id").Single());
        }

        string[] logged = [];
        for (var i = 0; i < 100 && logged.Length < 3; i++)
        {
            await Task.Delay(50); // written in batches off the request path
            using var doc = JsonDocument.Parse(await _server.Http.GetStringAsync("/api/kiln/deployments/loan/predictions"));
            logged = [.. doc.RootElement.GetProperty("predictions").EnumerateArray().Select(p => $"{p.GetProperty("request_id").GetString()}/{p.GetProperty("inputs").GetProperty("region").GetString()}")];
        }
        Assert.Equal(["grpc-1/north", "grpc-1:1/south", "oip-1/east"], logged.Order(StringComparer.Ordinal));

        var bad = Request();
        await Assert.ThrowsAsync<RpcException>(async () => await _client.ModelInferAsync(bad));
        var metrics = await _server.Http.GetStringAsync("/metrics");
        Assert.Contains("kiln_serving_requests_total{deployment=\"loan\",route=\"champion\",version=\"1\",status=\"200\"} 2", metrics);
        Assert.Contains("kiln_serving_requests_total{deployment=\"loan\",route=\"champion\",version=\"1\",status=\"400\"} 1", metrics);
    }

    [Fact]
    public async Task A_serving_replica_answers_grpc_on_its_grpc_port_and_rest_on_its_http_port()
    {
        await using var replica = await _server.StartReplicaAsync("loan");
        var expected = await LoanDeployment.ProbabilitiesAsync(_server.Http, Rows);
        using (var response = await replica.Http.PostAsync("/invocations", new StringContent(LoanDeployment.Records(Rows), Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(new Version(1, 1), response.Version);
        }
        using var channel = GrpcChannel.ForAddress(replica.GrpcUri);
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
        var request = Request();
        request.Inputs.Add(Tensor("income", "FP64", [Rows.Length], c => c.Fp64Contents.AddRange(Rows.Select(r => r.Income))));
        request.Inputs.Add(Tensor("debt", "FP64", [Rows.Length], c => c.Fp64Contents.AddRange(Rows.Select(r => r.Debt))));
        request.Inputs.Add(Regions());
        Assert.Equal(expected, Output(await client.ModelInferAsync(request), "probability").Contents.Fp64Contents);
    }

    private static ModelInferRequest Request() => new() { ModelName = "loan" };

    /// <summary>Adds the features <paramref name="request"/> lacks, one row of plausible values each.</summary>
    private static ModelInferRequest Complete(ModelInferRequest request)
    {
        if (request.Inputs.All(i => i.Name != "income"))
        {
            request.Inputs.Add(Tensor("income", "FP64", [1], c => c.Fp64Contents.Add(0.5)));
        }
        if (request.Inputs.All(i => i.Name != "debt"))
        {
            request.Inputs.Add(Tensor("debt", "FP64", [1], c => c.Fp64Contents.Add(0.5)));
        }
        request.Inputs.Add(Tensor("region", "BYTES", [1], c => c.BytesContents.Add(ByteString.CopyFromUtf8("north"))));
        return request;
    }

    private static ModelInferRequest.Types.InferInputTensor Regions() =>
        Tensor("region", "BYTES", [Rows.Length], c => c.BytesContents.AddRange(Rows.Select(r => ByteString.CopyFromUtf8(r.Region))));

    [Fact]
    public async Task The_explain_parameter_adds_contribution_and_reason_tensors()
    {
        var request = Request();
        request.Inputs.Add(Tensor("income", "FP64", [Rows.Length], c => c.Fp64Contents.AddRange(Rows.Select(r => r.Income))));
        request.Inputs.Add(Tensor("debt", "FP64", [Rows.Length], c => c.Fp64Contents.AddRange(Rows.Select(r => r.Debt))));
        request.Inputs.Add(Regions());
        request.Parameters["explain"] = new InferParameter { BoolParam = true };
        request.Parameters["explain_top"] = new InferParameter { Int64Param = 2 };
        var response = await _client.ModelInferAsync(request);
        var contributions = Output(response, "contributions");
        Assert.Equal([Rows.Length, 4L], contributions.Shape);
        Assert.Equal("income,debt,region,bias", contributions.Parameters["columns"].StringParam);
        var probabilities = Output(response, "probability").Contents.Fp64Contents;
        var values = contributions.Contents.Fp64Contents;
        for (var r = 0; r < Rows.Length; r++)
        {
            var logit = Math.Log(probabilities[r] / (1 - probabilities[r]));
            Assert.Equal(logit, values.Skip(r * 4).Take(4).Sum(), 6);
        }
        var reasons = Output(response, "reasons");
        Assert.Equal([Rows.Length, 2L], reasons.Shape);
        Assert.Equal(Rows.Length * 2, reasons.Contents.BytesContents.Count);

        request.Parameters["explain"] = new InferParameter { StringParam = "yes" };
        var bad = await Assert.ThrowsAsync<RpcException>(async () => await _client.ModelInferAsync(request));
        Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);
    }

    private static ModelInferRequest.Types.InferInputTensor Tensor(string name, string datatype, long[] shape, Action<InferTensorContents> fill)
    {
        var tensor = new ModelInferRequest.Types.InferInputTensor { Name = name, Datatype = datatype, Shape = { shape }, Contents = new InferTensorContents() };
        fill(tensor.Contents);
        return tensor;
    }

    private static ModelInferResponse.Types.InferOutputTensor Output(ModelInferResponse response, string name) => response.Outputs.Single(o => o.Name == name);

    private static ByteString LittleEndian(IEnumerable<double> values, int size, Action<Span<byte>, double> write)
    {
        var list = values.ToList();
        var bytes = new byte[list.Count * size];
        for (var i = 0; i < list.Count; i++)
        {
            write(bytes.AsSpan(i * size, size), list[i]);
        }
        return ByteString.CopyFrom(bytes);
    }

    private static ByteString LengthPrefixed(IEnumerable<string> values)
    {
        using var stream = new MemoryStream();
        foreach (var value in values)
        {
            var utf8 = Encoding.UTF8.GetBytes(value);
            var length = new byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(length, utf8.Length);
            stream.Write(length);
            stream.Write(utf8);
        }
        return ByteString.CopyFrom(stream.ToArray());
    }
}
