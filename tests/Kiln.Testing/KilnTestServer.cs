using Kiln.Hosting;
using Kiln.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Kiln.Testing;

/// <summary>
/// A real Kiln server (the same <see cref="KilnWebHost"/> as <c>kiln server</c>) on a free loopback port, with its gRPC
/// port on another, over a fresh SQLite file or a given store; or a serving replica (<c>kiln serve</c>) of a deployment
/// on a server's store.
/// </summary>
public sealed class KilnTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TempKilnHome _home;
    private readonly TempKilnHome? _ownHome; // null for a replica: its server owns the home

    private KilnTestServer(WebApplication app, TempKilnHome home, TempKilnHome? ownHome, KilnSettings settings)
    {
        _app = app;
        _home = home;
        _ownHome = ownHome;
        Settings = settings;
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.ToList();
        BaseUri = new Uri(addresses[0] + "/");
        GrpcUri = new Uri(addresses[^1]);
        Http = new HttpClient { BaseAddress = BaseUri };
    }

    /// <summary>The server's address, ending in '/'.</summary>
    public Uri BaseUri { get; }

    /// <summary>The address of its gRPC port (the Open Inference Protocol, plaintext HTTP/2).</summary>
    public Uri GrpcUri { get; }

    /// <summary>The settings it runs on (its store and artifacts).</summary>
    public KilnSettings Settings { get; }

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
        var settings = home.Settings(storeUri);
        var app = KilnWebHost.Build(settings, new ServerOptions("127.0.0.1", 0, GrpcPort: 0), configure);
        await app.StartAsync();
        return new KilnTestServer(app, home, home, settings);
    }

    /// <summary>Starts a serving replica of <paramref name="deployment"/> on this server's store (as <c>kiln serve</c> does).</summary>
    public async Task<KilnTestServer> StartReplicaAsync(string deployment, Action<IServiceCollection>? configure = null)
    {
        var app = KilnWebHost.BuildServing(Settings, new ServerOptions("127.0.0.1", 0, GrpcPort: 0), deployment, configure);
        await app.StartAsync();
        return new KilnTestServer(app, _home, null, Settings);
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
        _ownHome?.Dispose();
    }
}
