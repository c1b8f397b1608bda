using Kiln.Testing;

namespace Kiln.Client.Tests;

/// <summary>A real Kiln server on loopback and an SDK client pointed at it, per test.</summary>
public abstract class ClientTestBase : IAsyncLifetime
{
    protected KilnTestServer Server { get; set; } = null!;

    protected KilnClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await KilnTestServer.StartAsync();
        Client = new KilnClient(Server.BaseUri);
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }
}
