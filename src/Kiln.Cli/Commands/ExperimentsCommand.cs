using System.CommandLine;
using Kiln.Core.Tracking;
using Kiln.Engine.Tracking;
using Spectre.Console;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln experiments list|create|delete|restore</c>.</summary>
internal static class ExperimentsCommand
{
    public static Command Build()
    {
        var command = new Command("experiments", "List, create, delete and restore experiments.");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Create());
        command.Subcommands.Add(Delete());
        command.Subcommands.Add(Restore());
        return command;
    }

    private static Command List()
    {
        var view = new Option<string>("--view") { Description = "Which experiments: active, deleted or all.", DefaultValueFactory = _ => "active" };
        view.AcceptOnlyFromAmong("active", "deleted", "all");
        var filter = new Option<string?>("--filter") { Description = "MLflow search filter, e.g. \"name LIKE 'loan%'\"." };
        var output = Output.CreateOption();
        var command = new Command("list", "List experiments.") { view, filter, output };
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await GlobalOptions.OpenAsync(parse, ct);
            var viewType = parse.GetValue(view) switch { "deleted" => ViewType.DeletedOnly, "all" => ViewType.All, _ => ViewType.ActiveOnly };
            var rows = new List<IReadOnlyList<object?>>();
            string? token = null;
            do
            {
                var page = await kiln.Get<ITracking>().SearchExperimentsAsync(parse.GetValue(filter), ["experiment_id ASC"], viewType, 1000, token, ct);
                rows.AddRange(page.Items.Select(e => (IReadOnlyList<object?>)[e.ExperimentId, e.Name, e.LifecycleStage.WireName(), Output.Time(e.CreationTime), e.ArtifactLocation]));
                token = page.NextPageToken;
            }
            while (token is not null);
            Output.Write(Output.Format(parse, output), ["experiment_id", "name", "lifecycle_stage", "creation_time", "artifact_location"], rows);
            return 0;
        });
        return command;
    }

    private static Command Create()
    {
        var name = new Argument<string>("name") { Description = "The experiment's name." };
        var location = new Option<string?>("--artifact-location") { Description = "Where its artifacts go (default: proxied through the server)." };
        var command = new Command("create", "Create an experiment and print its id.") { name, location };
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await GlobalOptions.OpenAsync(parse, ct);
            var id = await kiln.Get<ITracking>().CreateExperimentAsync(parse.GetValue(name), parse.GetValue(location), [], ct);
            CliConsole.Current.WriteLine(id);
            return 0;
        });
        return command;
    }

    private static Command Delete()
    {
        var id = new Argument<string>("experiment") { Description = "The experiment's id or name." };
        var command = new Command("delete", "Soft-delete an experiment and its runs (restorable).") { id };
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await GlobalOptions.OpenAsync(parse, ct);
            var experiment = await Resolve.ExperimentAsync(kiln.Get<ITracking>(), parse.GetValue(id)!, ct);
            await kiln.Get<ITracking>().DeleteExperimentAsync(experiment.ExperimentId, ct);
            CliConsole.Current.MarkupLine($"Deleted experiment {experiment.ExperimentId} ([bold]{Format.Escape(experiment.Name)}[/]).");
            return 0;
        });
        return command;
    }

    private static Command Restore()
    {
        var id = new Argument<string>("experiment") { Description = "The deleted experiment's id or name." };
        var command = new Command("restore", "Restore a deleted experiment and its runs.") { id };
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await GlobalOptions.OpenAsync(parse, ct);
            var tracking = kiln.Get<ITracking>();
            var experiment = await Resolve.ExperimentAsync(tracking, parse.GetValue(id)!, ct);
            await tracking.RestoreExperimentAsync(experiment.ExperimentId, ct);
            CliConsole.Current.MarkupLine($"Restored experiment {experiment.ExperimentId} ([bold]{Format.Escape(experiment.Name)}[/]).");
            return 0;
        });
        return command;
    }
}
