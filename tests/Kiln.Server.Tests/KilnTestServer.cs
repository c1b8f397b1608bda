using Kiln.Engine.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Kiln.Server.Tests;

/// <summary>A real Kiln server on a free loopback port over a fresh SQLite file (or a given store URI).</summary>
public sealed class KilnTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly KilnContext _context;
    private readonly string _dir;

    private KilnTestServer(WebApplication app, KilnContext context, string dir, Uri baseUri)
    {
        _app = app;
        _context = context;
        _dir = dir;
        BaseUri = baseUri;
        Http = new HttpClient { BaseAddress = baseUri };
    }

    public Uri BaseUri { get; }

    public HttpClient Http { get; }

    public KilnContext Context => _context;

    public string Directory => _dir;

    public static async Task<KilnTestServer> StartAsync(string? storeUri = null)
    {
        var dir = System.IO.Directory.CreateTempSubdirectory("kiln-server-").FullName;
        var settings = KilnSettings.Resolve(storeUri ?? "sqlite:///" + Path.Combine(dir, "kiln.db"), Path.Combine(dir, "artifacts"), dir);
        var context = await KilnContext.OpenAsync(settings);
        var app = KilnServer.Build(context, new ServerOptions("127.0.0.1", 0));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new KilnTestServer(app, context, dir, new Uri(address + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _context.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            System.IO.Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
