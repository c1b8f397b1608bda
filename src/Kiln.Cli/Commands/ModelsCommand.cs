using System.CommandLine;
using System.Globalization;
using Kiln.Core.Errors;
using Kiln.Core.Registry;
using Kiln.Core.Tracking;
using Kiln.Engine.Flavors;
using Kiln.Engine.Registry;
using Kiln.Hosting;
using Kiln.Learn;
using Spectre.Console;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln models list|show|register|alias|tag|delete|history</c> and the gates (<c>.Gates</c>): the model registry.</summary>
internal static partial class ModelsCommand
{
    public static Command Build()
    {
        var command = new Command("models", "The model registry: registered models, their versions, aliases (champion, challenger) and who moved them.");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Show());
        command.Subcommands.Add(Register());
        command.Subcommands.Add(Alias());
        command.Subcommands.Add(TagCommand());
        command.Subcommands.Add(Delete());
        command.Subcommands.Add(History());
        command.Subcommands.Add(GateSpecCommand());
        command.Subcommands.Add(Gate());
        command.Subcommands.Add(Verdicts());
        command.Subcommands.Add(Promote());
        command.Subcommands.Add(Approve());
        command.Subcommands.Add(Promotions());
        command.Subcommands.Add(Rollback());
        command.Subcommands.Add(LineageCommand());
        command.Subcommands.Add(Card());
        return command;
    }

    private static async Task<KilnHost> OpenAsync(ParseResult parse, CancellationToken ct)
    {
        if (GlobalOptions.Settings(parse).TrackingServer is { } server)
        {
            throw KilnException.Invalid(
                $"kiln models works on the local store for now, not on a tracking server ({server}): drop --tracking-uri / KILN_TRACKING_URI, " +
                "or use the server's MLflow registry API (MLflow's client, Kiln.Client).");
        }
        return await GlobalOptions.OpenAsync(parse, ct);
    }

    private static Command List()
    {
        var filter = new Option<string?>("--filter") { Description = "MLflow search filter, e.g. \"name LIKE 'loan%'\" or \"tags.team = 'risk'\"." };
        var output = Output.CreateOption();
        var command = new Command("list", "List registered models with their newest version and aliases.") { filter, output };
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await OpenAsync(parse, ct);
            var registry = kiln.Get<RegistryService>();
            var rows = new List<IReadOnlyList<object?>>();
            string? token = null;
            do
            {
                var page = await registry.SearchModelsAsync(parse.GetValue(filter), ["name ASC"], RegistryService.MaxModelResults, token, ct);
                rows.AddRange(page.Items.Select(m => (IReadOnlyList<object?>)[m.Name, m.LatestVersions.Count == 0 ? null : m.LatestVersions.Max(v => v.Version),
                    string.Join(", ", m.Aliases.Select(a => $"{a.Key}→v{a.Value}")), Output.Time(m.LastUpdatedTime), m.Description]));
                token = page.NextPageToken;
            }
            while (token is not null);
            Output.Write(Output.Format(parse, output), ["name", "latest_version", "aliases", "last_updated", "description"], rows);
            return 0;
        });
        return command;
    }

    private static Command Show()
    {
        var name = new Argument<string>("name") { Description = "The registered model, or a models:/ URI (models:/loans@champion, models:/loans/3)." };
        var version = new Argument<int?>("version") { Description = "A version to show alone (default: the model and all its versions).", Arity = ArgumentArity.ZeroOrOne };
        var output = Output.CreateOption();
        var command = new Command("show", "Show a registered model and its versions, or one version.") { name, version, output };
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await OpenAsync(parse, ct);
            var registry = kiln.Get<RegistryService>();
            var reference = parse.GetValue(name)!;
            if (ModelUri.Is(reference) || parse.GetValue(version) is not null)
            {
                var found = ModelUri.Is(reference)
                    ? await registry.ResolveAsync(reference, ct)
                    : await registry.GetVersionAsync(reference, parse.GetValue(version)!.Value.ToString(CultureInfo.InvariantCulture), ct);
                WriteVersions(Output.Format(parse, output), [found]);
                return 0;
            }
            var model = await registry.GetModelAsync(reference, ct);
            var versions = await AllVersionsAsync(registry, model.Name, ct);
            var format = Output.Format(parse, output);
            if (format == OutputFormat.Table)
            {
                var console = CliConsole.Current;
                console.MarkupLine($"[bold]{Format.Escape(model.Name)}[/]  created {Format.Time(model.CreationTime)}, updated {Format.Time(model.LastUpdatedTime)}");
                if (!string.IsNullOrEmpty(model.Description))
                {
                    console.WriteLine(model.Description);
                }
                if (model.Tags.Count > 0)
                {
                    console.MarkupLine("tags: " + Format.Escape(string.Join(", ", model.Tags.Select(t => $"{t.Key}={t.Value}"))));
                }
                console.MarkupLine(model.Aliases.Count == 0 ? "aliases: (none)" : "aliases: " + Format.Escape(string.Join(", ", model.Aliases.Select(a => $"{a.Key} → v{a.Value}"))));
            }
            WriteVersions(format, versions);
            return 0;
        });
        return command;
    }

    private static Command Register()
    {
        var name = new Argument<string>("name") { Description = "The registered model (created when it does not exist yet)." };
        var source = new Argument<string>("source")
        {
            Description = "The model's files: runs:/RUN_ID/model (what kiln train logs), an mlflow-artifacts: URI, models:/NAME/VERSION — or a model trained " +
                "elsewhere: an XGBoost .json/.ubj, a LightGBM .txt, an .onnx, an ML.NET .zip, or a folder MLflow saved.",
        };
        var description = new Option<string?>("--description", "-d") { Description = "What this version is (Markdown)." };
        var tags = new Option<string[]>("--tag", "-t") { Description = "A tag KEY=VALUE for the version (repeatable).", AllowMultipleArgumentsPerToken = false };
        var alias = new Option<string?>("--alias") { Description = "Also point this alias at the new version (e.g. challenger)." };
        var flavor = new Option<string?>("--flavor") { Description = "For a model file: kiln, xgboost, lightgbm, onnx or mlnet (default: recognised from the file)." };
        var features = new Option<string?>("--features") { Description = "For a model file: its feature (column) names in input order, comma-separated, when the file does not name them." };
        var target = new Option<string?>("--target") { Description = "For a model file: the column it predicts (evaluation and gates read it)." };
        var classes = new Option<string?>("--classes") { Description = "For a classifier file: its class labels in output order, comma-separated (default 0,1,…)." };
        var command = new Command("register", "Register a new version of a model: from a run's model, or a model file trained elsewhere (XGBoost, LightGBM, ONNX, ML.NET).")
        {
            name, source, description, tags, alias, flavor, features, target, classes,
        };
        command.SetAction(async (parse, ct) =>
        {
            var tagList = (parse.GetValue(tags) ?? []).Select(ParseTag).ToList(); // checked before anything is written
            var aliasName = parse.GetValue(alias) is { } a ? RegistryValidation.Alias(a) : null;
            await using var kiln = await OpenAsync(parse, ct);
            var registry = kiln.Get<RegistryService>();
            var modelName = parse.GetValue(name)!;
            var from = parse.GetValue(source)!;
            ModelVersion created;
            if (ModelImportService.IsLocalPath(from))
            {
                var hints = new ModelHints(ModelImportService.List(parse.GetValue(features)), parse.GetValue(target), ModelImportService.List(parse.GetValue(classes)));
                try
                {
                    (created, var loadedAs) = await kiln.Get<ModelImportService>().ImportAsync(
                        new ModelImportRequest(modelName, from, parse.GetValue(flavor), hints, parse.GetValue(description), tagList), Environment.UserName, ct);
                    CliConsole.Current.MarkupLine($"Loaded {Format.Escape(Path.GetFileName(Path.TrimEndingDirectorySeparator(from)))}: flavor [bold]{Format.Escape(loadedAs)}[/].");
                }
                catch (LearnException e)
                {
                    throw KilnException.Invalid(e.Message);
                }
            }
            else
            {
                if (parse.GetValue(flavor) is not null || parse.GetValue(features) is not null || parse.GetValue(classes) is not null || parse.GetValue(target) is not null)
                {
                    throw KilnException.Invalid($"--flavor, --features, --target and --classes describe a model file, but '{from}' is not a file or folder here: pass the model file's path.");
                }
                try
                {
                    await registry.CreateModelAsync(modelName, null, [], ct);
                }
                catch (KilnException e) when (e.Code == ErrorCode.ResourceAlreadyExists)
                {
                    // registering into an existing model, as mlflow.register_model does
                }
                created = await registry.CreateVersionAsync(modelName, from, null, null, parse.GetValue(description), tagList, Environment.UserName, ct);
            }
            CliConsole.Current.MarkupLine($"Registered [bold]{Format.Escape(created.Name)}[/] version [bold]{created.Version}[/] from {Format.Escape(created.Source)}.");
            if (aliasName is not null)
            {
                await registry.SetAliasAsync(created.Name, aliasName, created.Version.ToString(CultureInfo.InvariantCulture), new AliasChange(Environment.UserName, "set", null), ct);
                CliConsole.Current.MarkupLine($"Alias [bold]{Format.Escape(aliasName)}[/] → version {created.Version}.");
            }
            CliConsole.Current.MarkupLine($"Load it as [bold]models:/{Format.Escape(created.Name)}/{created.Version}[/].");
            return 0;
        });
        return command;
    }

    private static Command Alias()
    {
        var name = new Argument<string>("name") { Description = "The registered model." };
        var alias = new Argument<string>("alias") { Description = "The alias, e.g. champion." };
        var version = new Argument<int?>("version") { Description = "The version it should point at (omit with --delete).", Arity = ArgumentArity.ZeroOrOne };
        var delete = new Option<bool>("--delete") { Description = "Remove the alias instead." };
        var reason = new Option<string?>("--reason") { Description = "Why (kept in the alias's history)." };
        var command = new Command("alias", "Point an alias at a version (or remove it); every move is kept in the model's history.") { name, alias, version, delete, reason };
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await OpenAsync(parse, ct);
            var registry = kiln.Get<RegistryService>();
            var (model, aliasName) = (parse.GetValue(name)!, parse.GetValue(alias)!);
            if (parse.GetValue(delete))
            {
                var removed = await registry.DeleteAliasAsync(model, aliasName, new AliasChange(Environment.UserName, "delete", parse.GetValue(reason)), ct);
                CliConsole.Current.MarkupLine(removed is null
                    ? $"{Format.Escape(model)} has no alias {Format.Escape(aliasName)}: nothing to remove."
                    : $"Removed alias [bold]{Format.Escape(aliasName)}[/] (was version {removed.PreviousVersion}).");
                return 0;
            }
            var target = parse.GetValue(version) ?? throw KilnException.Invalid($"Give the version {aliasName} should point at, e.g. kiln models alias {model} {aliasName} 3 (or --delete).");
            var moved = await registry.SetAliasAsync(model, aliasName, target.ToString(CultureInfo.InvariantCulture), new AliasChange(Environment.UserName, "set", parse.GetValue(reason)), ct);
            CliConsole.Current.MarkupLine($"Alias [bold]{Format.Escape(aliasName)}[/] of {Format.Escape(model)} → version [bold]{target}[/]" +
                (moved.PreviousVersion is { } previous && previous != target ? $" (was version {previous})." : "."));
            return 0;
        });
        return command;
    }

    private static Command TagCommand()
    {
        var name = new Argument<string>("name") { Description = "The registered model." };
        var tag = new Argument<string>("tag") { Description = "KEY=VALUE to set, or KEY with --delete." };
        var version = new Option<int?>("--version", "-v") { Description = "Tag this version instead of the model." };
        var delete = new Option<bool>("--delete") { Description = "Remove the tag instead." };
        var command = new Command("tag", "Set or remove a tag on a registered model or one of its versions.") { name, tag, version, delete };
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await OpenAsync(parse, ct);
            var registry = kiln.Get<RegistryService>();
            var (model, text, number) = (parse.GetValue(name)!, parse.GetValue(tag)!, parse.GetValue(version)?.ToString(CultureInfo.InvariantCulture));
            if (parse.GetValue(delete))
            {
                await (number is null ? registry.DeleteModelTagAsync(model, text, ct) : registry.DeleteVersionTagAsync(model, number, text, ct));
                CliConsole.Current.MarkupLine($"Removed tag [bold]{Format.Escape(text)}[/].");
                return 0;
            }
            var parsed = ParseTag(text);
            await (number is null ? registry.SetModelTagAsync(model, parsed.Key, parsed.Value, ct) : registry.SetVersionTagAsync(model, number, parsed.Key, parsed.Value, ct));
            CliConsole.Current.MarkupLine($"Tagged {Format.Escape(model)}{(number is null ? "" : " version " + number)}: {Format.Escape(parsed.Key)}={Format.Escape(parsed.Value)}.");
            return 0;
        });
        return command;
    }

    private static Command Delete()
    {
        var name = new Argument<string>("name") { Description = "The registered model." };
        var version = new Argument<int?>("version") { Description = "Delete only this version (default: the whole model).", Arity = ArgumentArity.ZeroOrOne };
        var yes = new Option<bool>("--yes", "-y") { Description = "Delete a whole model without asking." };
        var command = new Command("delete", "Delete a version (its aliases go too; its number is never reused) or a whole registered model.") { name, version, yes };
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await OpenAsync(parse, ct);
            var registry = kiln.Get<RegistryService>();
            var model = parse.GetValue(name)!;
            if (parse.GetValue(version) is { } number)
            {
                await registry.DeleteVersionAsync(model, number.ToString(CultureInfo.InvariantCulture), Environment.UserName, ct);
                CliConsole.Current.MarkupLine($"Deleted {Format.Escape(model)} version {number}.");
                return 0;
            }
            var found = await registry.GetModelAsync(model, ct);
            if (!parse.GetValue(yes))
            {
                throw KilnException.Invalid($"Deleting '{found.Name}' removes all its versions and aliases for good: run again with --yes to confirm.");
            }
            await registry.DeleteModelAsync(model, ct);
            CliConsole.Current.MarkupLine($"Deleted registered model [bold]{Format.Escape(model)}[/] and its versions.");
            return 0;
        });
        return command;
    }

    private static Command History()
    {
        var name = new Argument<string>("name") { Description = "The registered model." };
        var alias = new Option<string?>("--alias") { Description = "Only this alias." };
        var at = new Option<string?>("--at") { Description = "Also say which version held --alias at this time (ISO 8601, e.g. 2026-11-30T12:00Z)." };
        var output = Output.CreateOption();
        var command = new Command("history", "Who moved which alias when, and why; with --at, which version held an alias then.") { name, alias, at, output };
        command.SetAction(async (parse, ct) =>
        {
            await using var kiln = await OpenAsync(parse, ct);
            var registry = kiln.Get<RegistryService>();
            var (model, aliasName) = (parse.GetValue(name)!, parse.GetValue(alias));
            if (parse.GetValue(at) is { } when)
            {
                if (aliasName is null)
                {
                    throw KilnException.Invalid("--at needs --alias: which alias's holder do you want?");
                }
                if (!DateTimeOffset.TryParse(when, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var moment))
                {
                    throw KilnException.Invalid($"Cannot read --at '{when}' as a time: write ISO 8601, e.g. 2026-11-30T12:00Z.");
                }
                var holder = await registry.HolderAtAsync(model, aliasName, moment.ToUnixTimeMilliseconds(), ct);
                CliConsole.Current.MarkupLine(holder is { } v
                    ? $"At {Format.Time(moment.ToUnixTimeMilliseconds())}, {Format.Escape(aliasName)} pointed at version [bold]{v}[/]."
                    : $"At {Format.Time(moment.ToUnixTimeMilliseconds())}, {Format.Escape(aliasName)} pointed at no version.");
            }
            var events = await registry.HistoryAsync(model, aliasName, ct);
            Output.Write(Output.Format(parse, output), ["time", "alias", "version", "previous", "action", "user", "reason"],
                events.Select(e => (IReadOnlyList<object?>)[Output.Time(e.Time), e.Alias, e.Version, e.PreviousVersion, e.Action, e.UserId, e.Reason]));
            return 0;
        });
        return command;
    }

    private static async Task<List<ModelVersion>> AllVersionsAsync(RegistryService registry, string name, CancellationToken ct)
    {
        var versions = new List<ModelVersion>();
        string? token = null;
        do
        {
            var page = await registry.SearchVersionsAsync($"name = '{name.Replace("'", "\\'", StringComparison.Ordinal)}'", ["version_number DESC"], RegistryService.DefaultVersionResults, token, ct);
            versions.AddRange(page.Items);
            token = page.NextPageToken;
        }
        while (token is not null);
        return versions;
    }

    private static void WriteVersions(OutputFormat format, IReadOnlyList<ModelVersion> versions) =>
        Output.Write(format, ["version", "aliases", "stage", "created", "user", "run_id", "source", "tags", "description"],
            versions.Select(v => (IReadOnlyList<object?>)[v.Version, string.Join(", ", v.Aliases), v.CurrentStage, Output.Time(v.CreationTime), v.UserId, v.RunId, v.Source,
                string.Join(", ", v.Tags.Select(t => $"{t.Key}={t.Value}")), v.Description]));

    private static Tag ParseTag(string text)
    {
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            throw KilnException.Invalid($"Invalid tag '{text}': write KEY=VALUE, e.g. owner=risk-team.");
        }
        var tag = new Tag(text[..equals], text[(equals + 1)..]);
        RegistryValidation.VersionTag(tag.Key, tag.Value);
        return tag;
    }
}
