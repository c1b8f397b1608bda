using Kiln.Core.Stores;
using Kiln.Engine.Tracking;
using Kiln.Testing;

namespace Kiln.Hosting.Tests;

/// <summary>The server's host: the store is migrated before the server listens, and the server's services are the host's.</summary>
public sealed class KilnWebHostTests
{
    [Fact]
    public async Task The_store_is_ready_when_the_server_answers_and_services_come_from_the_host()
    {
        await using var server = await KilnTestServer.StartAsync();
        using var response = await server.Http.GetAsync("api/2.0/mlflow/experiments/get?experiment_id=0");
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        Assert.Same(server.Get<IMetadataStore>().Tracking, server.Get<Kiln.Core.Tracking.ITrackingStore>());
        Assert.Equal("Default", (await server.Get<TrackingService>().GetExperimentAsync("0")).Name);
    }
}
