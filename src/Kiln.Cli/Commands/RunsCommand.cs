using System.CommandLine;
using Kiln.Core.Mlflow;
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
        var columns = new Option<string[]>("--columns")
        {
            Description = "Columns after run id, name, status and start: metrics.KEY, params.KEY, tags.KEY, comma-separated (default: up to six metrics).",
            AllowMultipleArgumentsPerToken = false,
        };
        var output = Output.CreateOption();
        var command = new Command("list", "List an experiment's runs with their latest metrics.") { experiment, filter, orderBy, max, columns, output };
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await GlobalOptions.OpenAsync(parse, ct);
            var tracking = kiln.Get<ITracking>();
            var exp = await Resolve.ExperimentAsync(tracking, parse.GetValue(experiment)!, ct);
            var page = await tracking.SearchRunsAsync([exp.ExperimentId], parse.GetValue(filter), ViewType.ActiveOnly, parse.GetValue(max),
                parse.GetValue(orderBy) ?? [], null, ct);
            var chosen = RunColumns.Parse(parse.GetValue(columns) ?? []);
            if (chosen.Count == 0)
            {
                chosen = [.. page.Items.SelectMany(r => r.Data.Metrics.Select(m => m.Key)).Distinct().Order(StringComparer.Ordinal).Take(6).Select(k => "metrics." + k)];
            }
            var format = Output.Format(parse, output);
            if (format == OutputFormat.Table)
            {
                CliConsole.Current.MarkupLine($"Experiment {exp.ExperimentId} ([bold]{Format.Escape(exp.Name)}[/]): {page.Items.Count} run(s)");
            }
            Output.Write(format, ["run_id", "run_name", "status", "start_time", .. chosen],
                page.Items.Select(run => (IReadOnlyList<object?>)[run.Info.RunId, run.Info.RunName, run.Info.Status.WireName(), Output.Time(run.Info.StartTime),
                    .. chosen.Select(c => RunColumns.Value(run, c))]));
            return 0;
        });
        return command;
    }

    private static Command Show()
    {
        var runId = new Argument<string>("run-id") { Description = "The run's id." };
        var output = Output.CreateOption();
        var command = new Command("show", "Show one run: info, params, latest metrics, tags and dataset inputs.") { runId, output };
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await GlobalOptions.OpenAsync(parse, ct);
            var run = await kiln.Get<ITracking>().GetRunAsync(parse.GetValue(runId)!, ct);
            switch (Output.Format(parse, output))
            {
                case OutputFormat.Json:
                    // The run exactly as MLflow's runs/get returns it.
                    Output.WriteJsonDocument(json => MlflowJson.WriteRun(json, run));
                    return 0;
                case OutputFormat.Csv:
                    Output.Write(OutputFormat.Csv, ["section", "key", "value"], ShowRows(run));
                    return 0;
            }
            var info = Output.NewTable().HideHeaders().AddColumns("Field", "Value");
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

    /// <summary>A run as (section, key, value) rows, for CSV.</summary>
    private static IEnumerable<IReadOnlyList<object?>> ShowRows(Run run)
    {
        yield return ["info", "run_id", run.Info.RunId];
        yield return ["info", "run_name", run.Info.RunName];
        yield return ["info", "experiment_id", run.Info.ExperimentId];
        yield return ["info", "status", run.Info.Status.WireName()];
        yield return ["info", "start_time", Output.Time(run.Info.StartTime)];
        yield return ["info", "end_time", Output.Time(run.Info.EndTime)];
        yield return ["info", "user_id", run.Info.UserId];
        yield return ["info", "artifact_uri", run.Info.ArtifactUri];
        yield return ["info", "lifecycle_stage", run.Info.LifecycleStage.WireName()];
        foreach (var p in run.Data.Params)
        {
            yield return ["params", p.Key, p.Value];
        }
        foreach (var m in run.Data.Metrics)
        {
            yield return ["metrics", m.Key, m.Value];
        }
        foreach (var t in run.Data.Tags)
        {
            yield return ["tags", t.Key, t.Value];
        }
        foreach (var i in run.Inputs)
        {
            yield return ["inputs", i.Dataset.Name, i.Dataset.Digest];
        }
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
                runs.Add(await kiln.Get<ITracking>().GetRunAsync(id, ct));
            }
            var table = Output.NewTable().AddColumn("");
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
        var table = Output.NewTable().Title(title).AddColumns("Key", "Value");
        foreach (var (key, value) in list)
        {
            table.AddRow(Format.Escape(key), Format.Escape(value));
        }
        CliConsole.Current.Write(table);
    }
}
