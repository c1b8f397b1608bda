using System.Net;
using Kiln.Engine.Serving;
using Kiln.Testing;

namespace Kiln.Server.Tests.Serving;

/// <summary><c>/v2/health/ready</c>, the readiness probe the Kubernetes export points at.</summary>
public sealed class ServingReadinessTests : IAsyncLifetime
{
    private KilnTestServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await KilnTestServer.StartAsync();
        await LoanDeployment.CreateAsync(_server);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_replica_is_ready_only_while_its_deployment_can_be_served()
    {
        await using var replica = await _server.StartReplicaAsync("loan");
        using (var ready = await replica.Http.GetAsync("/v2/health/ready"))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        // route the deployment to a version that does not exist: a new replica is not ready, and says why
        await _server.Get<DeploymentService>().UpdateAsync("loan", [new("champion", "models:/loan/9", 100, false)], "ana");
        await using var fresh = await _server.StartReplicaAsync("loan");
        using (var notReady = await fresh.Http.GetAsync("/v2/health/ready"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
            Assert.Contains("version=9", await notReady.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        }
        Assert.Contains("models:/loan/9", fresh.Get<ServedModels>().Failures.Keys);
        using (var live = await fresh.Http.GetAsync("/v2/health/live"))
        {
            Assert.Equal(HttpStatusCode.OK, live.StatusCode); // alive, just not ready: Kubernetes keeps it out of the Service, not restarts it
        }

        await _server.Get<DeploymentService>().RollbackAsync("loan", "ana");
        using var back = await fresh.Http.GetAsync("/v2/health/ready");
        Assert.Equal(HttpStatusCode.OK, back.StatusCode);
    }
}
