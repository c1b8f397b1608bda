using System.CommandLine;
using Kiln.Engine.Hosting;
using Kiln.Server;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln server</c>: the all-in-one server on the chosen (default: embedded SQLite) store.</summary>
internal static class ServerCommand
{
    public static Command Build()
    {
        var host = new Option<string>("--host") { Description = "Address to listen on.", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port", "-p") { Description = "Port to listen on.", DefaultValueFactory = _ => 5000 };
        var command = new Command("server", "Start the Kiln server: MLflow-compatible tracking REST API with artifact proxy.") { host, port };
        command.SetAction(async (parse, ct) =>
        {
            var settings = GlobalOptions.Settings(parse);
            await using var context = await KilnContext.OpenAsync(settings, proxyArtifacts: true, ct);
            await using var app = KilnServer.Build(context, new ServerOptions(parse.GetValue(host)!, parse.GetValue(port)));
            await app.StartAsync(ct);
            Console.WriteLine($"Kiln {KilnServer.Version} listening on {string.Join(", ", app.Urls)}");
            Console.WriteLine($"  store:     {settings.StoreDisplay}");
            Console.WriteLine($"  artifacts: {context.Artifacts.Root}");
            Console.WriteLine("  MLflow clients: set MLFLOW_TRACKING_URI to the address above. Press Ctrl+C to stop.");
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
            }
            await app.StopAsync(CancellationToken.None);
            return 0;
        });
        return command;
    }
}
