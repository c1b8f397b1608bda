using Kiln.Hosting;
using Kiln.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Kiln.Testing;

/// <summary>A real Kiln server (the same <see cref="KilnWebHost"/> as <c>kiln server</c>) on a free loopback port over a fresh SQLite file or a given store.</summary>
public sealed class KilnTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TempKilnHome _home;

    private KilnTestServer(WebApplication app, TempKilnHome home, Uri baseUri)
    {
        _app = app;
        _home = home;
        BaseUri = baseUri;
        Http = new HttpClient { BaseAddress = baseUri };
    }

    /// <summary>The server's address, ending in '/'.</summary>
    public Uri BaseUri { get; }

    /// <summary>A client for the server's address.</summary>
    public HttpClient Http { get; }

    /// <summary>The server's container.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>The home directory (store and artifacts).</summary>
    public string Directory => _home.Dir;

    /// <summary>Starts a server; <paramref name="configure"/> may add services (a surface, a clock, a log sink).</summary>
    public static async Task<KilnTestServer> StartAsync(string? storeUri = null, Action<IServiceCollection>? configure = null)
    {
        var home = new TempKilnHome();
        var app = KilnWebHost.Build(home.Settings(storeUri), new ServerOptions("127.0.0.1", 0), configure);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new KilnTestServer(app, home, new Uri(address + "/"));
    }

    /// <summary>A service from the server's container.</summary>
    public T Get<T>()
        where T : notnull => _app.Services.GetRequiredService<T>();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _home.Dispose();
    }
}
