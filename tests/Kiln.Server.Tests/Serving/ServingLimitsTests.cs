using System.Net;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Inference;
using Kiln.Core.Errors;
using Kiln.Server.Serving;
using Kiln.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Kiln.Server.Tests.Serving;

/// <summary>Rows per request and body size past the limits are 413s on REST and RESOURCE_EXHAUSTED on gRPC, naming the limit and how to raise it.</summary>
public sealed class ServingLimitsTests
{
    [Fact]
    public void Limits_come_from_options_then_the_environment_then_defaults_and_a_bad_value_is_named()
    {
        var env = new Dictionary<string, string> { ["KILN_SERVING_MAX_ROWS"] = "500", ["KILN_SERVING_QUEUE_LIMIT"] = "0", ["KILN_SERVING_MAX_BODY_MIB"] = "2" };
        var limits = ServingLimits.Resolve(maxRows: 7, environment: env.GetValueOrDefault);
        Assert.Equal((7, 0, 2 << 20, 4 * Environment.ProcessorCount), (limits.MaxRows, limits.QueueLimit, limits.MaxBodyBytes, limits.MaxConcurrency));
        var defaults = ServingLimits.Resolve(environment: _ => null);
        Assert.Equal((100_000, 256, 8 << 20), (defaults.MaxRows, defaults.QueueLimit, defaults.MaxBodyBytes));

        var bad = Assert.Throws<KilnException>(() => ServingLimits.Resolve(environment: new Dictionary<string, string> { ["KILN_SERVING_MAX_CONCURRENCY"] = "0" }.GetValueOrDefault));
        Assert.Equal("Invalid KILN_SERVING_MAX_CONCURRENCY='0': use a whole number from 1 to 100,000.", bad.Message);
        Assert.Contains("Invalid --max-rows 0", Assert.Throws<KilnException>(() => ServingLimits.Resolve(maxRows: 0, environment: _ => null)).Message);
    }

    [Fact]
    public async Task Rows_and_bodies_past_the_limits_are_refused_on_every_protocol()
    {
        await using var server = await KilnTestServer.StartAsync(configure: s => s.AddSingleton(new ServingLimits { MaxRows = 3, MaxBodyBytes = 4096 }));
        await LoanDeployment.CreateAsync(server);
        var four = Enumerable.Repeat((0.5, 0.5, "north"), 4).ToList();

        Assert.Equal(3, (await LoanDeployment.ProbabilitiesAsync(server.Http, four.Take(3))).Length);
        using (var mlflow = await server.Http.PostAsync("/deployments/loan/invocations", new StringContent(LoanDeployment.Records(four), Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, mlflow.StatusCode);
            using var error = JsonDocument.Parse(await mlflow.Content.ReadAsStringAsync());
            Assert.Equal("REQUEST_LIMIT_EXCEEDED", error.RootElement.GetProperty("error_code").GetString());
            Assert.Equal("The request has 4 rows, over the limit of 3 rows per request: send fewer rows per request, or raise the limit with kiln serve/server --max-rows or KILN_SERVING_MAX_ROWS.",
                error.RootElement.GetProperty("message").GetString());
        }
        const string oip = """
            {"inputs": [{"name": "income", "datatype": "FP64", "shape": [4], "data": [1, 2, 3, 4]}, {"name": "debt", "datatype": "FP64", "shape": [4], "data": [1, 2, 3, 4]},
                        {"name": "region", "datatype": "BYTES", "shape": [4], "data": ["a", "b", "c", "d"]}]}
            """;
        using (var rest = await server.Http.PostAsync("/v2/models/loan/infer", new StringContent(oip, Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, rest.StatusCode);
            Assert.Contains("over the limit of 3 rows per request", JsonDocument.Parse(await rest.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
        }
        using (var big = await server.Http.PostAsync("/deployments/loan/invocations", new StringContent(new string(' ', 5000), Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, big.StatusCode);
            Assert.Contains("over the limit of 4,096: send fewer rows per request, or raise the limit with kiln serve/server --max-body-mib", await big.Content.ReadAsStringAsync());
        }

        using var channel = GrpcChannel.ForAddress(server.GrpcUri);
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
        var request = new ModelInferRequest { ModelName = "loan" };
        foreach (var name in new[] { "income", "debt" })
        {
            request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = name, Datatype = "FP64", Shape = { 4 }, Contents = new() { Fp64Contents = { 1, 2, 3, 4 } } });
        }
        request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor
        {
            Name = "region", Datatype = "BYTES", Shape = { 4 }, Contents = new() { BytesContents = { Enumerable.Repeat(ByteString.CopyFromUtf8("north"), 4) } },
        });
        var rows = await Assert.ThrowsAsync<RpcException>(async () => await client.ModelInferAsync(request));
        Assert.Equal(StatusCode.ResourceExhausted, rows.StatusCode);
        Assert.Contains("over the limit of 3 rows per request", rows.Status.Detail);
        request.Id = new string('x', 5000);
        Assert.Equal(StatusCode.ResourceExhausted, (await Assert.ThrowsAsync<RpcException>(async () => await client.ModelInferAsync(request))).StatusCode);
    }
}
