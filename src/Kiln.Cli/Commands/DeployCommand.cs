using System.CommandLine;
using Kiln.Core.Serving;
using Kiln.Engine.Serving;
using Kiln.Engine.Serving.Export;
using Spectre.Console;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln deploy create|update|list|show|rollback|delete|export</c>: named sets of routes the server serves.</summary>
internal static class DeployCommand
{
    public static Command Build()
    {
        var command = new Command("deploy", "Deployments: routes to models (weights for canaries, shadows that get a copy) served at /deployments/NAME/invocations.");
        command.Subcommands.Add(Save("create", "Create a deployment."));
        command.Subcommands.Add(Save("update", "Replace a deployment's routes (a new version; the old one is kept for rollback)."));
        command.Subcommands.Add(List());
        command.Subcommands.Add(Show());
        command.Subcommands.Add(Rollback());
        command.Subcommands.Add(Delete());
        command.Subcommands.Add(Export());
        return command;
    }

    private static Command Save(string verb, string description)
    {
        var name = new Argument<string>("name") { Description = "The deployment's name." };
        var routes = new Option<string[]>("--route") { Description = "NAME=MODEL[:WEIGHT], e.g. champion=models:/loans@champion:90 (repeatable; weight 100 when omitted).", AllowMultipleArgumentsPerToken = true };
        var shadows = new Option<string[]>("--shadow") { Description = "NAME=MODEL that gets a copy of every request; its answers are never returned (repeatable).", AllowMultipleArgumentsPerToken = true };
        var batchRows = new Option<int?>("--batch-rows") { Description = $"Adaptive batching for ONNX and ML.NET models: the most rows merged into one call (default {RouteBatching.DefaultMaxRows}; 1 turns it off)." };
        var batchWait = new Option<int?>("--batch-wait-ms") { Description = "Adaptive batching: how long to wait for more requests before a call (default 0: merge only those already waiting)." };
        var reference = new Option<string?>("--reference") { Description = "The data monitoring compares the answering routes' traffic with: datasets:/NAME/VERSION[/FILE] (default: each model's training profile)." };
        var command = new Command(verb, description) { name, routes, shadows, batchRows, batchWait, reference };
        command.SetAction(async (parse, ct) =>
        {
            var batching = parse.GetValue(batchRows) is null && parse.GetValue(batchWait) is null ? null
                : new RouteBatching(parse.GetValue(batchRows) ?? RouteBatching.DefaultMaxRows, parse.GetValue(batchWait) ?? 0);
            var list = (parse.GetValue(routes) ?? []).Select(r => DeploymentService.ParseRoute(r, false))
                .Concat((parse.GetValue(shadows) ?? []).Select(r => DeploymentService.ParseRoute(r, true)))
                .Select(r => r with { Batching = batching, Reference = r.Shadow ? null : parse.GetValue(reference) }).ToList();
            await using var kiln = await GlobalOptions.OpenAsync(parse, ct);
            var service = kiln.Get<DeploymentService>();
            var saved = verb == "create"
                ? await service.CreateAsync(parse.GetValue(name)!, list, Environment.UserName, ct)
                : await service.UpdateAsync(parse.GetValue(name)!, list, Environment.UserName, ct);
            Write(saved);
            CliConsole.Current.MarkupLine($"Serve it: POST /deployments/{Format.Escape(saved.Name)}/invocations on kiln server (MLflow's scoring JSON or CSV).");
            return 0;
        });
        return command;
    }

    private static Command List()
    {
        var output = Output.CreateOption();
        var command = new Command("list", "Every deployment and its routes.") { output };
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await GlobalOptions.OpenAsync(parse, ct);
            var all = await kiln.Get<IDeploymentStore>().ListAsync(ct);
            Output.Write(Output.Format(parse, output), ["name", "version", "routes", "updated", "user"],
                all.Select(d => (IReadOnlyList<object?>)[d.Name, d.Version, Describe(d), Output.Time(d.UpdatedAt), d.UserId]));
            return 0;
        });
        return command;
    }

    private static Command Show()
    {
        var name = new Argument<string>("name") { Description = "The deployment." };
        var command = new Command("show", "A deployment's routes, its earlier versions, and its replicas (the version each serves, live traffic per route).") { name };
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await GlobalOptions.OpenAsync(parse, ct);
            var history = await kiln.Get<IDeploymentStore>().HistoryAsync(parse.GetValue(name)!, ct);
            Write(history[0]);
            Output.Write(OutputFormat.Table, ["version", "routes", "updated", "user"],
                history.Select(d => (IReadOnlyList<object?>)[d.Version, Describe(d), Output.Time(d.UpdatedAt), d.UserId]));
            WriteReplicas(history[0], await kiln.Get<IReplicaStore>().ListAsync(history[0].Name, ct), kiln.Get<TimeProvider>().GetUtcNow().ToUnixTimeMilliseconds());
            return 0;
        });
        return command;
    }

    private static Command Rollback()
    {
        var name = new Argument<string>("name") { Description = "The deployment." };
        var command = new Command("rollback", "Restore the routes of the version before the current one (as a new version).") { name };
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await GlobalOptions.OpenAsync(parse, ct);
            Write(await kiln.Get<DeploymentService>().RollbackAsync(parse.GetValue(name)!, Environment.UserName, ct));
            return 0;
        });
        return command;
    }

    private static Command Delete()
    {
        var name = new Argument<string>("name") { Description = "The deployment." };
        var command = new Command("delete", "Delete a deployment and its versions.") { name };
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await GlobalOptions.OpenAsync(parse, ct);
            await kiln.Get<DeploymentService>().DeleteAsync(parse.GetValue(name)!, ct);
            CliConsole.Current.MarkupLine($"Deleted deployment {Format.Escape(parse.GetValue(name))}.");
            return 0;
        });
        return command;
    }

    private static Command Export()
    {
        var name = new Argument<string>("name") { Description = "The deployment." };
        var format = new Option<string>("--format", "-f") { Description = "docker (a Dockerfile running kiln serve --deployment NAME) or kubernetes (ConfigMap, Deployment with probes, Service, HorizontalPodAutoscaler).", Required = true };
        format.AcceptOnlyFromAmong([.. ReplicaPackage.Formats]);
        var output = new Option<string?>("--out") { Description = "Folder to write the files to (created if missing); without it the Dockerfile or the manifests are printed." };
        var image = new Option<string?>("--image") { Description = "The image the Kubernetes Deployment runs (default kiln-serve-NAME:latest, as the Dockerfile's instructions tag it)." };
        var command = new Command("export", "Package a deployment's serving replicas: a Dockerfile, or Kubernetes manifests, with the store URIs this command uses (--store, KILN_STORE, KILN_ARTIFACTS).") { name, format, output, image };
        command.SetAction(async (parse, ct) =>
        {
            var settings = GlobalOptions.Settings(parse);
            await using var kiln = await GlobalOptions.OpenAsync(parse, ct);
            var deployment = await kiln.Get<IDeploymentStore>().GetAsync(parse.GetValue(name)!, ct);
            var files = ReplicaPackage.Files(deployment, parse.GetValue(format)!, new ReplicaPackageOptions(settings.StoreUri, settings.ArtifactsRoot) { Image = parse.GetValue(image) });
            if (parse.GetValue(output) is not { Length: > 0 } folder)
            {
                Console.Out.Write(files.First().Value);
                return 0;
            }
            Directory.CreateDirectory(folder);
            foreach (var (file, text) in files)
            {
                await File.WriteAllTextAsync(Path.Combine(folder, file), text, ct);
                CliConsole.Current.MarkupLine($"Wrote {Format.Escape(Path.Combine(folder, file))}");
            }
            CliConsole.Current.MarkupLine(files.ContainsKey("Dockerfile")
                ? $"Next: dotnet publish src/Kiln.Cli/Kiln.Cli.csproj -c Release --self-contained false -o {Format.Escape(Path.Combine(folder, "kiln"))}, then docker build -t {Format.Escape(parse.GetValue(image) ?? ReplicaPackage.ResourceName(deployment.Name) + ":latest")} {Format.Escape(folder)}."
                : $"Next: kubectl apply -f {Format.Escape(Path.Combine(folder, files.Keys.Single()))} (read its first lines for the image, volumes and secret it expects).");
            return 0;
        });
        return command;
    }

    /// <summary>Each route's live traffic across the replicas, then each replica with the version it serves per route.</summary>
    private static void WriteReplicas(Deployment d, IReadOnlyList<ReplicaStatus> replicas, long now)
    {
        if (replicas.Count == 0)
        {
            CliConsole.Current.MarkupLine($"No replica has reported yet: serve it with kiln server, or kiln serve --deployment {Format.Escape(d.Name)}.");
            return;
        }
        var live = replicas.Count(r => ReplicaReport.IsLive(r, now));
        CliConsole.Current.MarkupLine($"Traffic over the last {ReplicaReport.LiveWithin.TotalSeconds:0} s or so, across {live} live replica(s):");
        Output.Write(OutputFormat.Table, ["route", "requests/s", "errors", "p50 ms", "p95 ms", "requests", "errors total"],
            ReplicaReport.Routes(d.Routes.Select(r => r.Name), replicas, now).Select(r => (IReadOnlyList<object?>)[
                r.Route, Math.Round(r.RequestsPerSecond, 2), r.Recent.Errors, r.P50Ms is { } p50 ? Math.Round(p50, 2) : null, r.P95Ms is { } p95 ? Math.Round(p95, 2) : null,
                r.Total.Requests, r.Total.Errors]));
        Output.Write(OutputFormat.Table, ["replica", "status", "last seen", "serving", "requests"],
            replicas.Select(r => (IReadOnlyList<object?>)[r.Replica, ReplicaReport.IsLive(r, now) ? "live" : "stale", Output.Time(r.LastSeen),
                string.Join("; ", r.Routes.Select(route => $"{route.Route}: {Served(route)}")), r.Routes.Sum(route => route.Total.Requests)]));
    }

    private static string Served(ReplicaRoute route) =>
        (route.ModelVersion is { } v ? $"{route.ModelName} v{v}" : route.LoadedAt is null ? "not loaded yet" : route.Model) + (route.LoadFailure is { } f ? $" (load failed: {f})" : "");

    private static string Describe(Deployment d) =>
        string.Join("; ", d.Routes.Select(r => r.Shadow ? $"{r.Name}={r.Model} (shadow)" : $"{r.Name}={r.Model} ×{r.Weight}"));

    private static void Write(Deployment d)
    {
        CliConsole.Current.MarkupLine($"Deployment [bold]{Format.Escape(d.Name)}[/] version {d.Version}:");
        var total = d.Routes.Where(r => !r.Shadow).Sum(r => r.Weight);
        Output.Write(OutputFormat.Table, ["route", "model", "traffic"],
            d.Routes.Select(r => (IReadOnlyList<object?>)[r.Name, r.Model, r.Shadow ? "shadow (copy)" : $"{100.0 * r.Weight / total:0.#}%"]));
    }
}
