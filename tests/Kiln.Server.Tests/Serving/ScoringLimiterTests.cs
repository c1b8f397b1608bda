using System.Net;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using Grpc.Net.Client;
using Inference;
using Kiln.Server.Serving;
using Kiln.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Kiln.Server.Tests.Serving;

/// <summary>A saturated server refuses at once (503 with Retry-After, gRPC UNAVAILABLE) instead of queueing without bound, and recovers when a slot frees.</summary>
public sealed class ScoringLimiterTests
{
    [Fact]
    public async Task A_saturated_server_answers_503_with_retry_after_and_serves_again_when_a_slot_frees()
    {
        await using var server = await KilnTestServer.StartAsync(configure: s => s.AddSingleton(new ServingLimits { MaxConcurrency = 1, QueueLimit = 0 }));
        await LoanDeployment.CreateAsync(server);
        var limiter = server.Get<ScoringLimiter>();
        var body = LoanDeployment.Records([(0.5, 0.5, "north")]);

        // the one slot is held by a request whose body is still uploading
        var release = new TaskCompletionSource();
        var held = server.Http.PostAsync("/deployments/loan/invocations", new HeldContent(body[..10], body[10..], release.Task));
        for (var i = 0; i < 200 && limiter.Available > 0; i++)
        {
            await Task.Delay(25);
        }
        Assert.Equal(0, limiter.Available);

        using (var refused = await server.Http.PostAsync("/deployments/loan/invocations", new StringContent(body, Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
            using var error = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
            Assert.Equal("TEMPORARILY_UNAVAILABLE", error.RootElement.GetProperty("error_code").GetString());
            Assert.StartsWith("The server is saturated: 1 requests are scoring and 0 waiting.", error.RootElement.GetProperty("message").GetString());
        }
        using (var oip = await server.Http.PostAsync("/v2/models/loan/infer", new StringContent("{}", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, oip.StatusCode);
            Assert.Equal("1", oip.Headers.GetValues("Retry-After").Single());
        }
        using (var channel = GrpcChannel.ForAddress(server.GrpcUri))
        {
            var grpc = await Assert.ThrowsAsync<RpcException>(async () =>
                await new GRPCInferenceService.GRPCInferenceServiceClient(channel).ModelInferAsync(new ModelInferRequest { ModelName = "loan" }));
            Assert.Equal(StatusCode.Unavailable, grpc.StatusCode);
            Assert.Equal("1", grpc.Trailers.GetValue("retry-after"));
        }

        release.SetResult();
        using (var done = await held)
        {
            Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        }
        Assert.Single(await LoanDeployment.ProbabilitiesAsync(server.Http, [(0.5, 0.5, "north")]));
        Assert.Contains("kiln_serving_requests_total{deployment=\"loan\",route=\"\",version=\"\",status=\"503\"} 3", await server.Http.GetStringAsync("/metrics"));
    }

    /// <summary>A body sent in two parts: the second only when <paramref name="release"/> completes (chunked, no length).</summary>
    private sealed class HeldContent(string head, string tail, Task release) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(head));
            await stream.FlushAsync();
            await release;
            await stream.WriteAsync(Encoding.UTF8.GetBytes(tail));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
