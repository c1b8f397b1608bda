using System.CommandLine;
using Kiln.Core.Artifacts;
using Kiln.Core.Errors;
using Kiln.Hosting;
using Kiln.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln server</c>: the all-in-one server on the chosen (default: embedded SQLite) store.</summary>
internal static class ServerCommand
{
    public static Command Build()
    {
        var host = new Option<string>("--host") { Description = "Address to listen on.", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port", "-p") { Description = "Port to listen on.", DefaultValueFactory = _ => 5000 };
        var root = new Option<string?>("--default-artifact-root")
        {
            Description = "Where new experiments keep artifacts. Default: mlflow-artifacts: (clients upload through this server). A file: URI or absolute path (e.g. a shared mount) makes clients write there directly, as MLflow's flag does; the server serves it too.",
        };
        var serving = new ServingOptions();
        var command = new Command("server", "Start the Kiln server: MLflow-compatible tracking REST API with artifact proxy, and serving of every deployment.") { host, port, root };
        serving.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var loopback = ListenAddress.Validate(parse.GetValue(host)!, parse.GetValue(port));
            var listen = new ServerOptions(parse.GetValue(host)!, parse.GetValue(port), serving.GrpcPort(parse, parse.GetValue(port)));
            if (!loopback)
            {
                await Console.Error.WriteLineAsync(
                    $"warning: listening on {parse.GetValue(host)} exposes Kiln to the network, and Kiln has no authentication yet: anyone who can reach this port can read and change every run. Use 127.0.0.1 unless the network is trusted.");
            }
            // The server is the tracking server: a tracking URI in the environment (for clients) does not apply to it.
            var settings = ArtifactRoot.Apply(GlobalOptions.Settings(parse) with { TrackingServer = null }, parse.GetValue(root));
            await using var app = KilnWebHost.Build(settings, listen, serving.Limits(parse));
            try
            {
                await app.StartAsync(ct);
            }
            catch (IOException e)
            {
                throw KilnException.InvalidState(
                    $"Cannot listen on {parse.GetValue(host)}:{parse.GetValue(port)}: {e.Message} Stop the other server or pick another port with --port.");
            }
            var urls = app.Urls.ToList();
            Console.WriteLine($"Kiln {KilnServer.Version} listening on {urls[0]}");
            if (listen.GrpcPort is not null)
            {
                Console.WriteLine($"  gRPC:      {urls[^1]} (Open Inference Protocol, plaintext HTTP/2)");
            }
            Console.WriteLine($"  store:     {settings.StoreDisplay}");
            Console.WriteLine($"  artifacts: {app.Services.GetRequiredService<IArtifactStore>().Root}");
            Console.WriteLine("  MLflow clients: set MLFLOW_TRACKING_URI to the address above. Press Ctrl+C to stop.");
            // Ctrl+C / SIGTERM reach the host's console lifetime, which stops the app; WaitForShutdownAsync returns then.
            await app.WaitForShutdownAsync(ct);
            return ExitCodes.Success;
        });
        return command;
    }
}
