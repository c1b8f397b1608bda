using System.Net;
using Kiln.Server.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Kiln.Server;

/// <summary>Where the server listens.</summary>
/// <param name="Host">The address (default loopback).</param>
/// <param name="Port">The port; 0 picks a free one (read it from the app's addresses after start).</param>
/// <param name="GrpcPort">
/// A second port on the same address for the Open Inference Protocol's gRPC service, or null for none; 0 picks a free one
/// (the app's second address). gRPC needs HTTP/2, which a plaintext port cannot offer beside HTTP/1.1 (without TLS there is
/// no negotiation, and Kestrel then speaks HTTP/1.1 only), so this port speaks HTTP/2 alone (h2c, by prior knowledge).
/// </param>
public sealed record ServerOptions(string Host = "127.0.0.1", int Port = 5000, int? GrpcPort = null);

/// <summary>
/// Kiln's all-in-one HTTP server. <see cref="CreateBuilder"/> makes a Kestrel app builder; the host adds its services
/// (stores, feature services, and every <see cref="IEndpointSurface"/>: <c>AddKilnServer()</c> adds today's);
/// <see cref="Build"/> then maps each registered surface behind one error middleware.
/// </summary>
public static class KilnServer
{
    /// <summary>Kiln's version, as /version reports it.</summary>
    public static string Version { get; } = typeof(KilnServer).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>A builder listening where <paramref name="options"/> say, logging warnings and errors to the console on one line each.</summary>
    public static WebApplicationBuilder CreateBuilder(ServerOptions options)
    {
        // no appsettings.json watching: its watcher covers the working directory and everything under it, where the
        // embedded store lives (./.kiln), so every write to the store's log woke a file-watch thread
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = JsonEndpoints.DefaultMaxBodyBytes;
            // GET routes that take many run ids in the query (get-history-bulk: up to 100 of 32 characters, and a
            // request naming more must get the route's own 400, not a 414 from the server)
            k.Limits.MaxRequestLineSize = 64 * 1024;
            k.Limits.MaxRequestHeadersTotalSize = 96 * 1024;
            Listen(k, options.Host, options.Port, HttpProtocols.Http1);
            if (options.GrpcPort is { } grpc)
            {
                Listen(k, options.Host, grpc, HttpProtocols.Http2);
            }
        });
        builder.Services.AddRoutingCore();
        return builder;
    }

    /// <summary>Listens on an IP address or <c>localhost</c> (both loopback addresses; IPv4 alone for a port picked at random).</summary>
    private static void Listen(KestrelServerOptions kestrel, string host, int port, HttpProtocols protocols)
    {
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase) && port != 0)
        {
            kestrel.ListenLocalhost(port, endpoint => endpoint.Protocols = protocols);
            return;
        }
        var address = host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback : IPAddress.Parse(host);
        kestrel.Listen(address, port, endpoint => endpoint.Protocols = protocols);
    }

    /// <summary>Builds the app from the host's services: the error middleware, routing, then every registered surface.</summary>
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        var app = builder.Build();
        app.UseKilnErrors();
        // A doubled leading slash (MLflow's UI and clients build some URLs as base + "/" + "/model-versions/...")
        // reaches the route it names, as it does on MLflow's server.
        app.Use((context, next) =>
        {
            if (context.Request.Path.Value is { Length: > 1 } path && path[1] == '/')
            {
                context.Request.Path = new PathString("/" + path.TrimStart('/'));
            }
            // who is calling, for the audit log entries this request's changes append (see Http/Caller)
            Core.Audit.AuditContext.SetUser(Http.Caller.User(context));
            return next(context);
        });
        app.UseRouting();
        foreach (var surface in app.Services.GetServices<IEndpointSurface>())
        {
            surface.Map(app);
        }
        return app;
    }
}
