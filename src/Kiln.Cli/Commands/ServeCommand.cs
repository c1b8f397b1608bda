using System.CommandLine;
using Kiln.Core.Errors;
using Kiln.Core.Serving;
using Kiln.Engine.Serving;
using Kiln.Hosting;
using Kiln.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln serve --deployment NAME</c>: a serving-only replica reading the same store as the server.</summary>
internal static class ServeCommand
{
    public static Command Build()
    {
        var deployment = new Option<string>("--deployment", "-d") { Description = "The deployment to serve (at /invocations and /deployments/NAME/invocations).", Required = true };
        var host = new Option<string>("--host") { Description = "Address to listen on.", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port", "-p") { Description = "Port to listen on.", DefaultValueFactory = _ => 8080 };
        var serving = new ServingOptions();
        var command = new Command("serve", "Serve one deployment as a replica (MLflow scoring protocol and Open Inference Protocol v2 over REST, and gRPC with --grpc-port); it follows alias moves within seconds.") { deployment, host, port };
        serving.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            ListenAddress.Validate(parse.GetValue(host)!, parse.GetValue(port));
            var listen = new ServerOptions(parse.GetValue(host)!, parse.GetValue(port), serving.GrpcPort(parse, parse.GetValue(port)));
            await using var app = KilnWebHost.BuildServing(GlobalOptions.Settings(parse), listen, parse.GetValue(deployment)!, serving.Limits(parse));
            try
            {
                await app.StartAsync(ct);
            }
            catch (IOException e)
            {
                throw KilnException.InvalidState($"Cannot listen on {parse.GetValue(host)}:{parse.GetValue(port)}: {e.Message} Pick another port with --port.");
            }
            // load (and warm) every route's model before saying we are up: a deployment that cannot load fails here, clearly
            var served = await app.Services.GetRequiredService<IDeploymentStore>().GetAsync(parse.GetValue(deployment)!, ct);
            foreach (var route in served.Routes)
            {
                var model = await app.Services.GetRequiredService<ServedModels>().GetAsync(route.Model, ct);
                Console.WriteLine($"  route {route.Name}: {route.Model}{(model.Version is { } v ? $" → {v.Name} version {v.Version}" : "")}");
            }
            var urls = app.Urls.ToList();
            Console.WriteLine($"Kiln {KilnServer.Version} serving deployment {served.Name} on {urls[0]} (POST /invocations, /v2/models/{served.Name}/infer). Ctrl+C stops.");
            if (listen.GrpcPort is not null)
            {
                Console.WriteLine($"  gRPC (Open Inference Protocol, inference.GRPCInferenceService, plaintext HTTP/2): {urls[^1]}");
            }
            await app.WaitForShutdownAsync(ct);
            return ExitCodes.Success;
        });
        return command;
    }
}
