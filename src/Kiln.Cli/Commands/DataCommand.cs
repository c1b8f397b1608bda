using System.CommandLine;
using Kiln.Core.Data;
using Kiln.Core.Tracking;
using Kiln.Engine.Data;
using Kiln.Hosting;
using Spectre.Console;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln data add|list|versions|show|get|diff|stats|lineage|schema|validate|validations|tag|gc</c>: versioned datasets.</summary>
internal static partial class DataCommand
{
    public static Command Build()
    {
        var command = new Command("data", "Version datasets: each file stored once by content, each version an immutable manifest.");
        command.Subcommands.Add(Add());
        command.Subcommands.Add(List());
        command.Subcommands.Add(Versions());
        command.Subcommands.Add(Show());
        command.Subcommands.Add(Get());
        command.Subcommands.Add(LineageCommand());
        command.Subcommands.Add(Diff());
        command.Subcommands.Add(Stats());
        command.Subcommands.Add(SchemaCommand());
        command.Subcommands.Add(Validate());
        command.Subcommands.Add(Validations());
        command.Subcommands.Add(Tag());
        command.Subcommands.Add(Gc());
        return command;
    }

    private static async Task<KilnHost> OpenAsync(ParseResult parse, CancellationToken ct)
    {
        if (GlobalOptions.Settings(parse).TrackingServer is { } server)
        {
            throw Core.Errors.KilnException.Invalid($"kiln data works on the local store for now, not on a tracking server ({server}): drop --tracking-uri / KILN_TRACKING_URI for data commands.");
        }
        return await GlobalOptions.OpenAsync(parse, ct);
    }

    private static string Short(string id) => id.Length > 19 ? id[..19] : id;

    private static readonly System.Text.Json.JsonSerializerOptions DiffJson = new()
    {
        PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private static string? Pair(string? before, string? after) => before == after ? before : $"{before ?? "—"} → {after ?? "—"}";

    private static string? Percent(double? share) => share?.ToString("0.##%", System.Globalization.CultureInfo.InvariantCulture);

    private static Command Add()
    {
        var name = new Argument<string>("name") { Description = "The dataset's name, e.g. loans." };
        var path = new Argument<string>("path") { Description = "The file or folder to version." };
        var message = new Option<string?>("--message", "-m") { Description = "What changed in this version." };
        var tags = new Option<string[]>("--tag", "-t") { Description = "A tag KEY=VALUE for the version (repeatable).", AllowMultipleArgumentsPerToken = false };
        var link = new Option<string>("--link") { Description = "How new objects are stored: reflink (default: a copy-on-write clone where the filesystem has one, else a copy), copy, or hardlink (no copy; the file is made read-only, as DVC's protected links).", DefaultValueFactory = _ => "reflink" };
        link.AcceptOnlyFromAmong("reflink", "copy", "hardlink");
        var command = new Command("add", "Add a file or folder as a new version of a dataset (identical content is the same version); CSV and Parquet tables are profiled.") { name, path, message, tags, link };
        command.SetAction(async (parse, ct) =>
        {
            var tagList = ParseTags(parse.GetValue(tags) ?? []); // checked before anything is stored
            await using var kiln = await OpenAsync(parse, ct);
            var service = kiln.Get<DataService>();
            (DatasetVersion Version, bool Created, int ObjectsStored)? result = null;
            await CliConsole.Progress.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .StartAsync(async progress =>
                {
                    var task = progress.AddTask("Hashing and storing", maxValue: 1);
                    result = await service.AddAsync(parse.GetValue(name)!, parse.GetValue(path)!, parse.GetValue(message), Environment.UserName,
                        new SyncProgress<(int Done, int Total)>(p => { task.MaxValue = p.Total; task.Value = p.Done; }), ct,
                        parse.GetValue(link) switch { "copy" => Core.Artifacts.FileLinkMode.Copy, "hardlink" => Core.Artifacts.FileLinkMode.Hardlink, _ => Core.Artifacts.FileLinkMode.Reflink });
                    task.Value = task.MaxValue;
                });
            var (v, created, stored) = result!.Value;
            foreach (var (key, value) in tagList)
            {
                await service.TagAsync(v.Dataset, v.VersionId, key, value, ct);
            }
            CliConsole.Current.MarkupLine(created
                ? $"Added [bold]{Format.Escape(v.Dataset)}[/] version [bold]{v.VersionId}[/]: {v.FileCount:N0} file(s), {v.TotalBytes:N0} bytes, {stored:N0} new object(s) stored."
                : $"[bold]{Format.Escape(v.Dataset)}[/] already has this content as version [bold]{v.VersionId}[/] (added {Format.Time(v.CreatedAt)}); nothing new stored.");
            return 0;
        });
        return command;
    }

    private static Command List()
    {
        var output = Output.CreateOption();
        var command = new Command("list", "List datasets with their version count and latest version.") { output };
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await OpenAsync(parse, ct);
            var datasets = await kiln.Get<DataService>().ListAsync(ct);
            Output.Write(Output.Format(parse, output), ["name", "versions", "latest", "latest_message", "created"],
                datasets.Select(d => (IReadOnlyList<object?>)[d.Name, d.VersionCount, d.Latest?.VersionId, d.Latest?.Message, Output.Time(d.CreatedAt)]));
            return 0;
        });
        return command;
    }

    private static Command Versions()
    {
        var name = new Argument<string>("name") { Description = "The dataset's name." };
        var output = Output.CreateOption();
        var command = new Command("versions", "List a dataset's versions, newest first.") { name, output };
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await OpenAsync(parse, ct);
            var versions = await kiln.Get<DataService>().VersionsAsync(parse.GetValue(name)!, ct);
            Output.Write(Output.Format(parse, output), ["version", "created", "user", "files", "bytes", "message", "tags"],
                versions.Select(v => (IReadOnlyList<object?>)[v.VersionId, Output.Time(v.CreatedAt), v.UserId, v.FileCount, v.TotalBytes, v.Message,
                    string.Join(", ", v.Tags.Select(t => $"{t.Key}={t.Value}"))]));
            return 0;
        });
        return command;
    }

    private static Command Show()
    {
        var name = new Argument<string>("name") { Description = "The dataset's name." };
        var version = new Argument<string>("version") { Description = "A version id (or a unique prefix of its hash), or latest.", DefaultValueFactory = _ => "latest" };
        var output = Output.CreateOption();
        var command = new Command("show", "Show a version and its files.") { name, version, output };
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await OpenAsync(parse, ct);
            var service = kiln.Get<DataService>();
            var v = await service.GetVersionAsync(parse.GetValue(name)!, parse.GetValue(version)!, ct);
            var files = await service.FilesAsync(v, ct);
            var format = Output.Format(parse, output);
            if (format == OutputFormat.Table)
            {
                CliConsole.Current.MarkupLine($"[bold]{Format.Escape(v.Dataset)}[/] {v.VersionId}\n{Format.Escape(v.Message)} ({Format.Time(v.CreatedAt)}, {Format.Escape(v.UserId)})");
            }
            Output.Write(format, ["path", "hash", "size"], files.Select(f => (IReadOnlyList<object?>)[f.Path, Short(f.Hash), f.Size]));
            return 0;
        });
        return command;
    }

    private static Command LineageCommand()
    {
        var name = new Argument<string>("name") { Description = "The dataset's name." };
        var version = new Argument<string>("version") { Description = "A version id (or a unique prefix of its hash), or latest.", DefaultValueFactory = _ => "latest" };
        var output = Output.CreateOption();
        var command = new Command("lineage", "List the runs that read a dataset version (train and tune record datasets:/ inputs) and the model versions registered from them.") { name, version, output };
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await OpenAsync(parse, ct);
            var v = await kiln.Get<DataService>().GetVersionAsync(parse.GetValue(name)!, parse.GetValue(version)!, ct);
            var runs = await Lineage.RunsReadingAsync(kiln.Get<Engine.Tracking.ITracking>(), v.VersionId, ct);
            var format = Output.Format(parse, output);
            if (format == OutputFormat.Table)
            {
                CliConsole.Current.MarkupLine($"[bold]{Format.Escape(v.Dataset)}[/] {v.VersionId}: read by {runs.Count} run(s)");
            }
            // the model versions registered from those runs (the registry's run_id)
            var models = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var chunk in runs.Select(r => r.Run.Info.RunId).Distinct().Chunk(100))
            {
                var page = await kiln.Get<Engine.Registry.RegistryService>().SearchVersionsAsync($"run_id IN ({string.Join(", ", chunk.Select(id => $"'{id}'"))})", null, null, null, ct);
                foreach (var group in page.Items.GroupBy(mv => mv.RunId!))
                {
                    models[group.Key] = string.Join(", ", group.Select(mv => $"models:/{mv.Name}/{mv.Version}"));
                }
            }
            Output.Write(format, ["run_id", "run_name", "experiment_id", "context", "status", "start_time", "model_versions"],
                runs.Select(r => (IReadOnlyList<object?>)[r.Run.Info.RunId, r.Run.Info.RunName, r.Run.Info.ExperimentId, r.Context, r.Run.Info.Status.WireName(), Output.Time(r.Run.Info.StartTime),
                    models.GetValueOrDefault(r.Run.Info.RunId)]));
            return 0;
        });
        return command;
    }

    private static Command Diff()
    {
        var name = new Argument<string>("name") { Description = "The dataset's name." };
        var from = new Argument<string>("from") { Description = "The earlier version (id, unique prefix, or latest)." };
        var to = new Argument<string>("to") { Description = "The later version.", DefaultValueFactory = _ => "latest" };
        var output = Output.CreateOption();
        var command = new Command("diff", "Show the files added, removed and changed between two versions, and how changed CSV files' rows and columns differ.") { name, from, to, output };
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await OpenAsync(parse, ct);
            var service = kiln.Get<DataService>();
            var a = await service.GetVersionAsync(parse.GetValue(name)!, parse.GetValue(from)!, ct);
            var b = await service.GetVersionAsync(parse.GetValue(name)!, parse.GetValue(to)!, ct);
            var changes = await service.DiffAsync(a, b, ct);
            var format = Output.Format(parse, output);
            if (format == OutputFormat.Table)
            {
                CliConsole.Current.MarkupLine($"[bold]{Format.Escape(a.Dataset)}[/] {Short(a.VersionId)} → {Short(b.VersionId)}: {changes.Count} file(s) differ");
            }
            if (format == OutputFormat.Json)
            {
                Console.Out.WriteLine(System.Text.Json.JsonSerializer.Serialize(changes, DiffJson));
                return 0;
            }
            Output.Write(format, ["path", "change", "old_size", "new_size", "table"],
                changes.Select(c => (IReadOnlyList<object?>)[c.Path, c.Change, c.OldSize, c.NewSize, c.Schema]));
            foreach (var change in changes.Where(c => c.Columns.Count > 0 && format == OutputFormat.Table))
            {
                CliConsole.Current.MarkupLine($"[bold]{Format.Escape(change.Path)}[/]: columns");
                Output.Write(format, ["column", "change", "kind", "missing", "distinct", "mean", "distance"],
                    change.Columns.Select(c => (IReadOnlyList<object?>)[c.Column, c.Change, Pair(c.KindBefore, c.KindAfter), Pair(Percent(c.MissingBefore), Percent(c.MissingAfter)),
                        Pair(c.DistinctBefore?.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), c.DistinctAfter?.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)),
                        Pair(c.MeanBefore?.ToString("G6", System.Globalization.CultureInfo.InvariantCulture), c.MeanAfter?.ToString("G6", System.Globalization.CultureInfo.InvariantCulture)),
                        c.Distance is { } d ? $"{c.Method} {d:0.###}" : null]));
            }
            return 0;
        });
        return command;
    }

    private static Command Stats()
    {
        var name = new Argument<string>("name") { Description = "The dataset's name." };
        var version = new Argument<string>("version") { Description = "A version id (or a unique prefix of its hash), or latest.", DefaultValueFactory = _ => "latest" };
        var output = Output.CreateOption();
        var command = new Command("stats", "Show the schema and per-column statistics of a version's CSV files.") { name, version, output };
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await OpenAsync(parse, ct);
            var service = kiln.Get<DataService>();
            var v = await service.GetVersionAsync(parse.GetValue(name)!, parse.GetValue(version)!, ct);
            var profiles = await service.ProfileAsync(v, ct);
            var rows = new List<IReadOnlyList<object?>>();
            foreach (var (path, profile) in profiles)
            {
                foreach (var c in profile.Columns)
                {
                    var top = c.Categorical?.Categories.Take(3).Select(t => $"{t.Category} ({t.Count})");
                    rows.Add([path, c.Name, c.Kind.ToString(), c.Count, c.MissingCount, c.Numeric?.Min, c.Numeric?.Max, c.Numeric?.Mean,
                        top is null ? c.Text?.DistinctCount.ToString(System.Globalization.CultureInfo.InvariantCulture) : string.Join(", ", top)]);
                }
            }
            var format = Output.Format(parse, output);
            if (format == OutputFormat.Table)
            {
                CliConsole.Current.MarkupLine($"[bold]{Format.Escape(v.Dataset)}[/] {v.VersionId}: {profiles.Count} CSV file(s)");
            }
            Output.Write(format, ["file", "column", "kind", "count", "missing", "min", "max", "mean", "top / distinct"], rows);
            return 0;
        });
        return command;
    }

    private static Command Get()
    {
        var name = new Argument<string>("name") { Description = "The dataset's name." };
        var version = new Argument<string>("version") { Description = "A version id (or a unique prefix of its hash), or latest.", DefaultValueFactory = _ => "latest" };
        var target = new Option<string>("--out", "-o") { Description = "The folder to write the files into.", Required = true };
        var command = new Command("get", "Write a version's files into a folder, verifying every file's hash.") { name, version, target };
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await OpenAsync(parse, ct);
            var service = kiln.Get<DataService>();
            var v = await service.GetVersionAsync(parse.GetValue(name)!, parse.GetValue(version)!, ct);
            var count = await service.GetAsync(v, parse.GetValue(target)!, ct);
            CliConsole.Current.MarkupLine($"Wrote {count:N0} file(s) of [bold]{Format.Escape(v.Dataset)}[/] {v.VersionId} to {Format.Escape(parse.GetValue(target))}, every hash verified.");
            return 0;
        });
        return command;
    }
}
