using System.CommandLine;
using Kiln.Core.Data;
using Kiln.Core.Registry;
using Kiln.Engine.Registry;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln models lineage|card</c>: where a version came from and what was decided about it.</summary>
internal static partial class ModelsCommand
{
    private static Command LineageCommand()
    {
        var name = new Argument<string>("name") { Description = "The registered model." };
        var version = new Argument<int>("version") { Description = "The version." };
        var command = new Command("lineage", "Model version → source run → the dataset versions it read (with their validations); its evaluations, verdicts and alias moves, as a tree.") { name, version };
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await OpenAsync(parse, ct);
            var lineage = await BuildLineageAsync(kiln, parse.GetValue(name)!, parse.GetValue(version), ct);
            var v = lineage.Version;
            var root = new Tree($"[bold]{Format.Escape(v.Name)}[/] version [bold]{v.Version}[/]{(v.Aliases.Count > 0 ? " (" + Format.Escape(string.Join(", ", v.Aliases)) + ")" : "")} ← {Format.Escape(v.Source)}");
            if (lineage.SourceRun is { } run)
            {
                var node = root.AddNode($"run [bold]{run.Info.RunId}[/] {Format.Escape(run.Info.RunName)} ({run.Info.Status.ToString().ToLowerInvariant()}, experiment {run.Info.ExperimentId})");
                AddData(node, lineage.Datasets);
            }
            else
            {
                root.AddNode($"run {Format.Escape(v.RunId ?? "(none recorded)")} (not in this store)");
            }
            foreach (var (eval, data) in lineage.Evaluations)
            {
                var headline = eval.Data.Metrics.Where(m => m.Key is "roc_auc" or "rmse").Select(m => $": {m.Key} {Format.Number(m.Value)}").FirstOrDefault() ?? "";
                var node = root.AddNode($"evaluation run {eval.Info.RunId}{headline}");
                AddData(node, data);
            }
            foreach (var verdict in lineage.Verdicts)
            {
                root.AddNode($"gate for {Format.Escape(verdict.Alias)}: {(verdict.Passed ? "[green]passed[/]" : "[red]failed[/]")} {Format.Time(verdict.CreatedAt)} by {Format.Escape(verdict.UserId)}");
            }
            foreach (var e in lineage.AliasMoves)
            {
                root.AddNode($"{Format.Escape(e.Alias)} {(e.Version == v.Version ? "→ here" : "moved away")} {Format.Time(e.Time)} ({Format.Escape(e.Action)} by {Format.Escape(e.UserId)})");
            }
            CliConsole.Current.Write(root);
            return 0;
        });
        return command;
    }

    private static Command Card()
    {
        var name = new Argument<string>("name") { Description = "The registered model." };
        var version = new Argument<int>("version") { Description = "The version." };
        var html = new Option<string?>("--html") { Description = "Also write the card as a self-contained HTML page here." };
        var command = new Command("card", "The model card: intended use, training data and its lineage, metrics with slices, gate verdicts, alias history (Markdown).") { name, version, html };
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await OpenAsync(parse, ct);
            var model = await kiln.Get<RegistryService>().GetModelAsync(parse.GetValue(name), ct);
            var lineage = await BuildLineageAsync(kiln, model.Name, parse.GetValue(version), ct);
            var markdown = ModelCard.Markdown(model, lineage);
            if (parse.GetValue(html) is { } file)
            {
                await File.WriteAllTextAsync(file, ModelCard.Html(markdown, $"{model.Name} v{lineage.Version.Version}"), ct);
            }
            CliConsole.Current.Profile.Out.Writer.Write(markdown);
            return 0;
        });
        return command;
    }

    private static Task<ModelLineage> BuildLineageAsync(Hosting.KilnHost kiln, string name, int version, CancellationToken ct) =>
        ModelLineage.BuildAsync(kiln.Get<RegistryService>(), kiln.Get<IRegistryStore>(), kiln.Get<Engine.Tracking.ITracking>(), kiln.Services.GetService<IDataStore>(), name, version, ct);

    private static void AddData(TreeNode node, IReadOnlyList<DatasetLink> data)
    {
        foreach (var d in data)
        {
            var validation = d.Validations.FirstOrDefault();
            node.AddNode($"{Format.Escape(d.Context)}: " + (d.Versioned
                ? $"datasets:/{Format.Escape(d.Name)}/{Format.Escape(d.Digest)}" + (validation is null ? " (not validated)" : $" (validated: {validation.Errors} error(s), {validation.Warnings} warning(s))")
                : $"{Format.Escape(d.Name)} (a file, not versioned)"));
        }
    }
}
