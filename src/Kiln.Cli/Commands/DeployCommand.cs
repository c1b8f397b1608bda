using System.CommandLine;
using Kiln.Core.Serving;
using Kiln.Engine.Serving;
using Spectre.Console;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln deploy create|update|list|show|rollback|delete</c>: named sets of routes the server serves.</summary>
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
        return command;
    }

    private static Command Save(string verb, string description)
    {
        var name = new Argument<string>("name") { Description = "The deployment's name." };
        var routes = new Option<string[]>("--route") { Description = "NAME=MODEL[:WEIGHT], e.g. champion=models:/loans@champion:90 (repeatable; weight 100 when omitted).", AllowMultipleArgumentsPerToken = true };
        var shadows = new Option<string[]>("--shadow") { Description = "NAME=MODEL that gets a copy of every request; its answers are never returned (repeatable).", AllowMultipleArgumentsPerToken = true };
        var batchRows = new Option<int?>("--batch-rows") { Description = $"Adaptive batching for ONNX and ML.NET models: the most rows merged into one call (default {RouteBatching.DefaultMaxRows}; 1 turns it off)." };
        var batchWait = new Option<int?>("--batch-wait-ms") { Description = "Adaptive batching: how long to wait for more requests before a call (default 0: merge only those already waiting)." };
        var command = new Command(verb, description) { name, routes, shadows, batchRows, batchWait };
        command.SetAction(async (parse, ct) =>
        {
            var batching = parse.GetValue(batchRows) is null && parse.GetValue(batchWait) is null ? null
                : new RouteBatching(parse.GetValue(batchRows) ?? RouteBatching.DefaultMaxRows, parse.GetValue(batchWait) ?? 0);
            var list = (parse.GetValue(routes) ?? []).Select(r => DeploymentService.ParseRoute(r, false))
                .Concat((parse.GetValue(shadows) ?? []).Select(r => DeploymentService.ParseRoute(r, true)))
                .Select(r => r with { Batching = batching }).ToList();
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
        var command = new Command("show", "A deployment's routes and its earlier versions.") { name };
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await GlobalOptions.OpenAsync(parse, ct);
            var history = await kiln.Get<IDeploymentStore>().HistoryAsync(parse.GetValue(name)!, ct);
            Write(history[0]);
            Output.Write(OutputFormat.Table, ["version", "routes", "updated", "user"],
                history.Select(d => (IReadOnlyList<object?>)[d.Version, Describe(d), Output.Time(d.UpdatedAt), d.UserId]));
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
            await kiln.Get<IDeploymentStore>().DeleteAsync(parse.GetValue(name)!, ct);
            CliConsole.Current.MarkupLine($"Deleted deployment {Format.Escape(parse.GetValue(name))}.");
            return 0;
        });
        return command;
    }

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
