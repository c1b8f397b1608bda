using System.CommandLine;
using Kiln.Core.Errors;
using Kiln.Engine.Data;
using Kiln.Engine.Data.Validation;
using Spectre.Console;

namespace Kiln.Cli.Commands;

internal static partial class DataCommand
{
    private static List<(string Key, string Value)> ParseTags(IEnumerable<string> tags) => [.. tags.Select(DataService.ParseTag)];

    private static Command SchemaCommand()
    {
        var command = new Command("schema", "A dataset's validation schema (YAML): infer one from a version, edit it, save it as a new schema version.");

        var name = new Argument<string>("name") { Description = "The dataset's name." };
        var version = new Argument<string>("version") { Description = "The version to infer from (id, unique prefix, or latest).", DefaultValueFactory = _ => "latest" };
        var file = new Option<string?>("--file", "-f") { Description = "Write the schema to this file instead of the terminal." };
        var save = new Option<bool>("--save") { Description = "Save the inferred schema as the dataset's current schema." };
        var infer = new Command("infer", "Infer a schema from a version's tables: types, presence, missing shares, domains, keys and distribution rules.") { name, version, file, save };
        infer.SetAction(async (parse, ct) =>
        {
            await using var kiln = await OpenAsync(parse, ct);
            var service = kiln.Get<DataService>();
            var v = await service.GetVersionAsync(parse.GetValue(name)!, parse.GetValue(version)!, ct);
            var yaml = (await service.InferSchemaAsync(v, ct)).ToYaml();
            if (parse.GetValue(file) is { } path)
            {
                await File.WriteAllTextAsync(path, yaml, ct);
                CliConsole.Current.MarkupLine($"Wrote the schema inferred from {v.VersionId} to {Format.Escape(path)}; edit it, then kiln data schema save {Format.Escape(v.Dataset)} {Format.Escape(path)}.");
            }
            else
            {
                Console.Out.Write(yaml);
            }
            if (parse.GetValue(save))
            {
                var saved = await service.SaveSchemaAsync(v.Dataset, yaml, Environment.UserName, ct);
                Console.Error.WriteLine($"Saved as schema {saved.SchemaId} of '{v.Dataset}'.");
            }
            return 0;
        });

        var saveName = new Argument<string>("name") { Description = "The dataset's name." };
        var saveFile = new Argument<string>("file") { Description = "The schema YAML file." };
        var saveCommand = new Command("save", "Check a schema file and save it as the dataset's current schema (a new schema version).") { saveName, saveFile };
        saveCommand.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(saveFile)!;
            if (!File.Exists(path))
            {
                throw KilnException.FileNotFound(path);
            }
            await using var kiln = await OpenAsync(parse, ct);
            var saved = await kiln.Get<DataService>().SaveSchemaAsync(parse.GetValue(saveName)!, await File.ReadAllTextAsync(path, ct), Environment.UserName, ct);
            CliConsole.Current.MarkupLine($"Saved schema [bold]{saved.SchemaId}[/] for [bold]{Format.Escape(saved.Dataset)}[/].");
            return 0;
        });

        var showName = new Argument<string>("name") { Description = "The dataset's name." };
        var showId = new Option<string?>("--id") { Description = "A schema version (id or unique prefix); the current one by default." };
        var show = new Command("show", "Print a schema version's YAML (the current one by default).") { showName, showId };
        show.SetAction(async (parse, ct) =>
        {
            await using var kiln = await OpenAsync(parse, ct);
            var schemas = await kiln.Get<DataService>().SchemasAsync(parse.GetValue(showName)!, ct);
            var wanted = parse.GetValue(showId);
            var schema = (wanted is null ? schemas.FirstOrDefault() : schemas.FirstOrDefault(s => s.SchemaId.StartsWith(wanted, StringComparison.Ordinal) || s.SchemaId[7..].StartsWith(wanted, StringComparison.Ordinal)))
                ?? throw KilnException.NotFound(wanted is null
                    ? $"'{parse.GetValue(showName)}' has no schema yet: infer one with kiln data schema infer {parse.GetValue(showName)} --save."
                    : $"'{parse.GetValue(showName)}' has no schema '{wanted}': list them with kiln data schema list {parse.GetValue(showName)}.");
            Console.Out.Write(schema.Yaml);
            return 0;
        });

        var listName = new Argument<string>("name") { Description = "The dataset's name." };
        var output = Output.CreateOption();
        var list = new Command("list", "List a dataset's schema versions, newest (current) first.") { listName, output };
        list.SetAction(async (parse, ct) =>
        {
            await using var kiln = await OpenAsync(parse, ct);
            var schemas = await kiln.Get<DataService>().SchemasAsync(parse.GetValue(listName)!, ct);
            Output.Write(Output.Format(parse, output), ["schema_id", "saved", "user", "columns"],
                schemas.Select(s => (IReadOnlyList<object?>)[s.SchemaId, Output.Time(s.CreatedAt), s.UserId, DatasetSchema.Parse(s.Yaml, s.SchemaId).Columns.Count]));
            return 0;
        });

        command.Subcommands.Add(infer);
        command.Subcommands.Add(saveCommand);
        command.Subcommands.Add(show);
        command.Subcommands.Add(list);
        return command;
    }

    private static Command Validate()
    {
        var name = new Argument<string>("name") { Description = "The dataset's name." };
        var version = new Argument<string>("version") { Description = "The version to check (id, unique prefix, or latest).", DefaultValueFactory = _ => "latest" };
        var against = new Option<string?>("--against", "-a") { Description = "A reference version: distributions and the row count are compared with it (and a schema is inferred from it when none is saved)." };
        var schema = new Option<string?>("--schema", "-s") { Description = "A schema YAML file to use instead of the saved one." };
        var report = new Option<string?>("--report", "-r") { Description = "Also write a self-contained HTML report with per-column charts to this file." };
        var output = new Option<string>("--output", "-o") { Description = "table (default) or json.", DefaultValueFactory = _ => "table" };
        output.AcceptOnlyFromAmong("table", "json");
        var command = new Command("validate",
            "Check a version against the dataset's schema and a reference version: typed anomalies with evidence. Exits 4 when any anomaly is an error.")
            { name, version, against, schema, report, output };
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await OpenAsync(parse, ct);
            var service = kiln.Get<DataService>();
            var dataset = parse.GetValue(name)!;
            var v = await service.GetVersionAsync(dataset, parse.GetValue(version)!, ct);
            var reference = parse.GetValue(against) is { } a ? await service.GetVersionAsync(dataset, a, ct) : null;
            string? yaml = null;
            if (parse.GetValue(schema) is { } schemaFile)
            {
                yaml = File.Exists(schemaFile) ? await File.ReadAllTextAsync(schemaFile, ct) : throw KilnException.FileNotFound(schemaFile);
            }
            var (result, note) = await service.ValidateAsync(v, reference, yaml, Environment.UserName, ct);
            if (note is not null)
            {
                Console.Error.WriteLine(note);
            }
            if (parse.GetValue(report) is { } reportFile)
            {
                await File.WriteAllTextAsync(reportFile, ValidationReport.Html(result), ct);
            }
            if (parse.GetValue(output) == "json")
            {
                Console.Out.WriteLine(result.ToJson(indented: true));
            }
            else
            {
                WriteResult(result);
                if (parse.GetValue(report) is { } written)
                {
                    CliConsole.Current.MarkupLine($"Report: {Format.Escape(Path.GetFullPath(written))}");
                }
            }
            return result.Passed ? ExitCodes.Success : ExitCodes.CheckFailed;
        });
        return command;
    }

    private static void WriteResult(Engine.Data.Validation.ValidationResult result)
    {
        var verdict = result.Passed ? "[green]passed[/]" : "[red]failed[/]";
        CliConsole.Current.MarkupLine($"[bold]{Format.Escape(result.Dataset)}[/] {Short(result.Version)}{(result.Against is { } a ? $" against {Short(a)}" : "")}: {verdict} — {result.Errors} error(s), {result.Warnings} warning(s); validation {result.Id}");
        if (result.Anomalies.Count > 0)
        {
            Output.Write(OutputFormat.Table, ["severity", "anomaly", "column", "evidence"],
                result.Anomalies.Select(x => (IReadOnlyList<object?>)[x.Severity, x.Type, x.Column, x.Description]));
        }
        if (result.Columns.Count > 0)
        {
            Output.Write(OutputFormat.Table, ["column", "kind", "method", "distance", "threshold", "shifted"],
                result.Columns.Select(c => (IReadOnlyList<object?>)[c.Column, c.Kind, c.Distribution.Method, c.Distribution.Distance, c.Threshold, c.Shifted ? "yes" : ""]));
        }
    }

    private static Command Validations()
    {
        var name = new Argument<string>("name") { Description = "The dataset's name." };
        var version = new Argument<string?>("version") { Description = "Only this version's validations.", DefaultValueFactory = _ => null };
        var output = Output.CreateOption();
        var command = new Command("validations", "List the stored validations of a dataset (or of one version), newest first.") { name, version, output };
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await OpenAsync(parse, ct);
            var service = kiln.Get<DataService>();
            var dataset = parse.GetValue(name)!;
            string? id = parse.GetValue(version) is { } wanted ? (await service.GetVersionAsync(dataset, wanted, ct)).VersionId : null;
            var list = await service.ValidationsAsync(dataset, id, ct);
            Output.Write(Output.Format(parse, output), ["id", "version", "against", "errors", "warnings", "when", "user"],
                list.Select(x => (IReadOnlyList<object?>)[x.Id, Short(x.VersionId), x.AgainstVersionId is { } a ? Short(a) : null, x.Errors, x.Warnings, Output.Time(x.CreatedAt), x.UserId]));
            return 0;
        });
        return command;
    }

    private static Command Tag()
    {
        var name = new Argument<string>("name") { Description = "The dataset's name." };
        var version = new Argument<string>("version") { Description = "The version (id, unique prefix, or latest)." };
        var tags = new Argument<string[]>("tags") { Description = "KEY=VALUE pairs to set.", Arity = ArgumentArity.ZeroOrMore };
        var delete = new Option<string[]>("--delete", "-d") { Description = "A tag key to delete (repeatable)." };
        var command = new Command("tag", "Set or delete tags on a version, e.g. kiln data tag loans latest stage=approved.") { name, version, tags, delete };
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await OpenAsync(parse, ct);
            var service = kiln.Get<DataService>();
            var v = await service.GetVersionAsync(parse.GetValue(name)!, parse.GetValue(version)!, ct);
            var set = ParseTags(parse.GetValue(tags) ?? []);
            var deleted = parse.GetValue(delete) ?? [];
            if (set.Count == 0 && deleted.Length == 0)
            {
                throw KilnException.Invalid("Give tags to set as KEY=VALUE, or --delete KEY.");
            }
            foreach (var (key, value) in set)
            {
                await service.TagAsync(v.Dataset, v.VersionId, key, value, ct);
            }
            foreach (var key in deleted)
            {
                await service.UntagAsync(v.Dataset, v.VersionId, key, ct);
            }
            CliConsole.Current.MarkupLine($"[bold]{Format.Escape(v.Dataset)}[/] {v.VersionId}: {set.Count} tag(s) set, {deleted.Length} deleted.");
            return 0;
        });
        return command;
    }

    private static Command Gc()
    {
        var dryRun = new Option<bool>("--dry-run", "-n") { Description = "Report what would be deleted; delete nothing." };
        var grace = new Option<double>("--grace-minutes") { Description = "Spare unreferenced objects written in the last N minutes (a concurrent add may be about to reference them). Default 60.", DefaultValueFactory = _ => 60 };
        var command = new Command("gc", "Delete stored objects no dataset version references; safe while others add data.") { dryRun, grace };
        command.SetAction(async (parse, ct) =>
        {
            var minutes = parse.GetValue(grace);
            if (!(minutes >= 0 && minutes <= DataService.MaxGrace.TotalMinutes))
            {
                throw KilnException.Invalid($"--grace-minutes is {minutes}; it must be between 0 and {DataService.MaxGrace.TotalMinutes:0} (ten years).");
            }
            await using var kiln = await OpenAsync(parse, ct);
            var report = await kiln.Get<DataService>().CollectGarbageAsync(TimeSpan.FromMinutes(minutes), parse.GetValue(dryRun), ct);
            var verb = parse.GetValue(dryRun) ? "Would delete" : "Deleted";
            CliConsole.Current.MarkupLine($"{verb} {report.Deleted:N0} unreferenced object(s) ({report.DeletedBytes:N0} bytes); {report.Referenced:N0} of {report.Objects:N0} are referenced, {report.Recent:N0} recent one(s) spared.");
            return 0;
        });
        return command;
    }
}
