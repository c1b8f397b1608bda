using System.CommandLine;
using System.Text.Json;
using Kiln.Core.Errors;
using Kiln.Engine.Pipelines.Spec;
using Spectre.Console;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln pipeline validate|run|resume|status|list|logs|cancel|apply|show|delete</c>: pipelines, their runs and steps.</summary>
internal static partial class PipelineCommand
{
    public static Command Build()
    {
        var command = new Command("pipeline", "Pipelines: YAML DAGs of steps (pipelines/NAME.yaml) run by workers, with cached steps, retries, resume and triggers.");
        command.Subcommands.Add(Validate());
        command.Subcommands.Add(Run());
        command.Subcommands.Add(Resume());
        command.Subcommands.Add(Status());
        command.Subcommands.Add(List());
        command.Subcommands.Add(Logs());
        command.Subcommands.Add(Cancel());
        command.Subcommands.Add(Apply());
        command.Subcommands.Add(Show());
        command.Subcommands.Add(Delete());
        return command;
    }

    private static Command Validate()
    {
        var files = new Argument<string[]>("files") { Description = "Pipeline files (default: every pipelines/*.yaml and *.yml here).", Arity = ArgumentArity.ZeroOrMore };
        var output = Output.CreateOption();
        var command = new Command("validate", "Check pipeline files: fields, operations and their inputs, params and their types, needs, cycles and references, each problem with its file, line and step. Exit code 4 when any file has a problem.")
        {
            files, output,
        };
        command.SetAction(parse =>
        {
            var paths = parse.GetValue(files) is { Length: > 0 } given ? given : Defaults();
            var results = paths.Select(path => File.Exists(path)
                ? (Path: path, Result: PipelineSpecReader.ReadFile(path))
                : throw KilnException.NotFound($"No pipeline file {path}.")).ToList();
            if (Output.Format(parse, output) == OutputFormat.Json)
            {
                CliConsole.Current.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(results.Select(r => new
                {
                    file = r.Path,
                    name = r.Result.Spec?.Name,
                    valid = r.Result.Errors.Count == 0,
                    stages = r.Result.Spec is { } spec ? PipelineValidator.Layers(spec) : null,
                    errors = r.Result.Errors.Select(e => new { line = e.Line, step = e.Step, message = e.Message }),
                }), new JsonSerializerOptions { WriteIndented = true }));
            }
            else
            {
                foreach (var (path, (spec, errors)) in results)
                {
                    if (spec is not null)
                    {
                        var stages = PipelineValidator.Layers(spec);
                        CliConsole.Current.MarkupLine($"[green]valid[/] {Format.Escape(spec.Name)} ({Format.Escape(path)}): {spec.Steps.Count} step(s) in {stages.Count} stage(s): "
                            + Format.Escape(string.Join(" → ", stages.Select(s => string.Join(", ", s)))));
                    }
                    foreach (var error in errors)
                    {
                        Console.Error.WriteLine($"error {error}");
                    }
                }
            }
            return results.All(r => r.Result.Errors.Count == 0) ? ExitCodes.Success : ExitCodes.CheckFailed;
        });
        return command;
    }

    private static string[] Defaults()
    {
        var found = Directory.Exists("pipelines")
            ? Directory.EnumerateFiles("pipelines").Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray()
            : [];
        return found.Length > 0 ? found : throw KilnException.NotFound("No pipeline files given and none in ./pipelines (pipelines/NAME.yaml).");
    }
}
