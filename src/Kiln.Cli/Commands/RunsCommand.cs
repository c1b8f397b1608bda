using System.CommandLine;
using Kiln.Core.Tracking;
using Kiln.Engine.Tracking;
using Spectre.Console;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln runs list|show|compare</c>.</summary>
internal static class RunsCommand
{
    public static Command Build()
    {
        var command = new Command("runs", "Inspect and compare runs.");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Show());
        command.Subcommands.Add(Compare());
        return command;
    }

    private static Command List()
    {
        var experiment = new Option<string>("--experiment", "-e") { Description = "Experiment id or name.", DefaultValueFactory = _ => "0" };
        var filter = new Option<string?>("--filter") { Description = "MLflow search filter, e.g. \"metrics.auc > 0.8 AND params.learner = 'gbdt'\"." };
        var orderBy = new Option<string[]>("--order-by") { Description = "Ordering, e.g. \"metrics.auc DESC\" (repeatable).", AllowMultipleArgumentsPerToken = false };
        var max = new Option<int>("--max") { Description = "Most runs to show.", DefaultValueFactory = _ => 100 };
        var command = new Command("list", "List an experiment's runs with their latest metrics.") { experiment, filter, orderBy, max };
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await GlobalOptions.OpenAsync(parse, ct);
            var exp = await Resolve.ExperimentAsync(kiln.Get<TrackingService>(), parse.GetValue(experiment)!, ct);
            var page = await kiln.Get<TrackingService>().SearchRunsAsync([exp.ExperimentId], parse.GetValue(filter), ViewType.ActiveOnly, parse.GetValue(max),
                parse.GetValue(orderBy) ?? [], null, ct);
            var metricKeys = page.Items.SelectMany(r => r.Data.Metrics.Select(m => m.Key)).Distinct().Order(StringComparer.Ordinal).Take(6).ToList();
            var table = new Table().AddColumns("Run ID", "Name", "Status", "Started");
            foreach (var key in metricKeys)
            {
                table.AddColumn(new TableColumn(Format.Escape(key)).RightAligned());
            }
            foreach (var run in page.Items)
            {
                var metrics = run.Data.Metrics.ToDictionary(m => m.Key, m => m.Value);
                table.AddRow([run.Info.RunId, Format.Escape(run.Info.RunName), run.Info.Status.WireName(), Format.Time(run.Info.StartTime),
                    .. metricKeys.Select(k => metrics.TryGetValue(k, out var v) ? Format.Number(v) : "")]);
            }
            CliConsole.Current.MarkupLine($"Experiment {exp.ExperimentId} ([bold]{Format.Escape(exp.Name)}[/]): {page.Items.Count} run(s)");
            CliConsole.Current.Write(table);
            return 0;
        });
        return command;
    }

    private static Command Show()
    {
        var runId = new Argument<string>("run-id") { Description = "The run's id." };
        var command = new Command("show", "Show one run: info, params, latest metrics, tags and dataset inputs.") { runId };
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await GlobalOptions.OpenAsync(parse, ct);
            var run = await kiln.Get<TrackingService>().GetRunAsync(parse.GetValue(runId)!, ct);
            var info = new Table().HideHeaders().AddColumns("Field", "Value");
            info.AddRow("Run ID", run.Info.RunId).AddRow("Name", Format.Escape(run.Info.RunName)).AddRow("Experiment", run.Info.ExperimentId)
                .AddRow("Status", run.Info.Status.WireName()).AddRow("Started", Format.Time(run.Info.StartTime)).AddRow("Ended", Format.Time(run.Info.EndTime))
                .AddRow("User", Format.Escape(run.Info.UserId)).AddRow("Artifacts", Format.Escape(run.Info.ArtifactUri)).AddRow("Stage", run.Info.LifecycleStage.WireName());
            CliConsole.Current.Write(info);
            Section("Params", run.Data.Params.Select(p => (p.Key, p.Value)));
            Section("Metrics (latest)", run.Data.Metrics.Select(m => (m.Key, $"{Format.Number(m.Value)} (step {m.Step})")));
            Section("Tags", run.Data.Tags.Select(t => (t.Key, t.Value)));
            Section("Dataset inputs", run.Inputs.Select(i => (i.Dataset.Name, $"digest {i.Dataset.Digest}, source {i.Dataset.Source}")));
            return 0;
        });
        return command;
    }

    private static Command Compare()
    {
        var runIds = new Argument<string[]>("run-ids") { Description = "Two or more run ids.", Arity = new ArgumentArity(2, 20) };
        var command = new Command("compare", "Compare runs side by side: params and latest metrics, differences highlighted.") { runIds };
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await GlobalOptions.OpenAsync(parse, ct);
            var runs = new List<Run>();
            foreach (var id in parse.GetValue(runIds)!)
            {
                runs.Add(await kiln.Get<TrackingService>().GetRunAsync(id, ct));
            }
            var table = new Table().AddColumn("");
            foreach (var run in runs)
            {
                table.AddColumn(new TableColumn($"{Format.Escape(run.Info.RunName)}\n[grey]{run.Info.RunId[..8]}[/]").RightAligned());
            }
            AddRows(table, "param", runs, r => r.Data.Params.ToDictionary(p => p.Key, p => p.Value));
            AddRows(table, "metric", runs, r => r.Data.Metrics.ToDictionary(m => m.Key, m => Format.Number(m.Value)));
            CliConsole.Current.Write(table);
            return 0;
        });
        return command;
    }

    private static void AddRows(Table table, string kind, List<Run> runs, Func<Run, Dictionary<string, string>> values)
    {
        var perRun = runs.Select(values).ToList();
        foreach (var key in perRun.SelectMany(d => d.Keys).Distinct().Order(StringComparer.Ordinal))
        {
            var cells = perRun.Select(d => d.TryGetValue(key, out var v) ? v : "—").ToList();
            var differs = cells.Distinct().Count() > 1;
            table.AddRow([$"[grey]{kind}[/] {Format.Escape(key)}", .. cells.Select(c => differs ? $"[yellow]{Format.Escape(c)}[/]" : Format.Escape(c))]);
        }
    }

    private static void Section(string title, IEnumerable<(string Key, string Value)> rows)
    {
        var list = rows.ToList();
        if (list.Count == 0)
        {
            return;
        }
        var table = new Table().Title(title).AddColumns("Key", "Value");
        foreach (var (key, value) in list)
        {
            table.AddRow(Format.Escape(key), Format.Escape(value));
        }
        CliConsole.Current.Write(table);
    }
}
