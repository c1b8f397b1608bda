using System.Globalization;
using Kiln.Engine.Monitoring;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Kiln.Engine.Pipelines.Spec;

/// <summary>
/// Reads a pipeline file and checks it before anything runs, collecting every problem with its file, line and step:
/// the shape of each field, unknown operations and fields, params whose default is not of their type, references to
/// undeclared params, steps or outputs, a step reading a step it does not (transitively) need, and cycles.
/// </summary>
public static class PipelineSpecReader
{
    private static readonly HashSet<string> TopFields = ["name", "description", "params", "steps", "on", "concurrency"];
    private static readonly HashSet<string> StepFields = ["uses", "run", "with", "env", "inputs", "outputs", "needs", "when", "retries", "backoff", "timeout", "labels", "description"];

    /// <summary>Reads and checks <paramref name="path"/>.</summary>
    public static (PipelineSpec? Spec, IReadOnlyList<SpecError> Errors) ReadFile(string path) => Read(File.ReadAllText(path), path);

    /// <summary>Reads and checks <paramref name="yaml"/> (<paramref name="file"/> names it in messages and gives the default name).</summary>
    public static (PipelineSpec? Spec, IReadOnlyList<SpecError> Errors) Read(string yaml, string file)
    {
        var errors = new List<SpecError>();
        void Error(Node at, string? step, string message) => errors.Add(new SpecError(file, at.Line, step, message));
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            return (null, [new SpecError(file, (int)e.Start.Line, null, $"not valid YAML: {e.Message}")]);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            return (null, [new SpecError(file, 1, null, "a pipeline file is a mapping with params: and steps:, e.g. steps: {train: {uses: train, with: {…}}}.")]);
        }
        foreach (var (key, _) in root.Children)
        {
            if (Scalar(key) is { } k && !TopFields.Contains(k))
            {
                Error(new Node(key), null, $"unknown field '{k}' (fields: {string.Join(", ", TopFields)}).");
            }
        }
        var name = Scalar(Child(root, "name")) ?? Path.GetFileNameWithoutExtension(file);
        if (!ValidName(name))
        {
            Error(new Node(Child(root, "name") ?? root), null, $"the pipeline name '{name}' may hold only letters, digits, '-', '_' and '.'.");
        }
        var parameters = ReadParams(Child(root, "params"), Error);
        var steps = new List<PipelineStep>();
        if (Child(root, "steps") is not YamlMappingNode stepNodes || stepNodes.Children.Count == 0)
        {
            Error(new Node(Child(root, "steps") ?? root), null, "a pipeline needs steps:, a mapping of step names to steps, e.g. steps: {train: {uses: train, with: {…}}}.");
        }
        else
        {
            foreach (var (key, value) in stepNodes.Children)
            {
                if (ReadStep(key, value, Error) is { } step)
                {
                    steps.Add(step);
                }
            }
        }
        var concurrency = Scalar(Child(root, "concurrency")) ?? ConcurrencyPolicies.Allow;
        if (concurrency is not (ConcurrencyPolicies.Allow or ConcurrencyPolicies.Skip or ConcurrencyPolicies.Queue))
        {
            Error(new Node(Child(root, "concurrency")!), null, $"concurrency: '{concurrency}' must be allow, skip or queue.");
        }
        var spec = new PipelineSpec(name, Scalar(Child(root, "description")), parameters, steps, file, ReadOn(Child(root, "on"), Error), concurrency);
        PipelineValidator.Check(spec, errors);
        return (errors.Count == 0 ? spec : null, [.. errors.OrderBy(e => e.Line)]); // stable: a line's problems in the order found
    }

    private static List<PipelineParam> ReadParams(YamlNode? node, Action<Node, string?, string> error)
    {
        var list = new List<PipelineParam>();
        if (node is null)
        {
            return list;
        }
        if (node is not YamlMappingNode map)
        {
            error(new Node(node), null, "params: is a mapping of names to defaults or {type: …, default: …}.");
            return list;
        }
        foreach (var (key, value) in map.Children)
        {
            var name = Scalar(key) ?? "";
            if (!System.Text.RegularExpressions.Regex.IsMatch(name, "^[A-Za-z_][A-Za-z0-9_]*$"))
            {
                error(new Node(key), null, $"param name '{name}' must be a letter or '_' followed by letters, digits or '_'.");
                continue;
            }
            ParamType type;
            string? fallback;
            if (value is YamlMappingNode spec)
            {
                foreach (var field in spec.Children.Keys.Select(Scalar).Where(f => f is not ("type" or "default" or "description")))
                {
                    error(new Node(spec), null, $"param '{name}': unknown field '{field}' (type, default, description).");
                }
                fallback = Scalar(Child(spec, "default"));
                var typeName = Scalar(Child(spec, "type"));
                if (typeName is null)
                {
                    type = fallback is null ? ParamType.String : ParamTypes.Infer(fallback);
                }
                else if (ParamTypes.Parse(typeName) is { } parsed)
                {
                    type = parsed;
                }
                else
                {
                    error(new Node(Child(spec, "type")!), null, $"param '{name}': unknown type '{typeName}' (string, int, float, bool, dataset, model, path).");
                    continue;
                }
            }
            else if (Scalar(value) is { } bare)
            {
                (type, fallback) = (ParamTypes.Infer(bare), bare);
            }
            else
            {
                error(new Node(value), null, $"param '{name}': write a default (rounds: 200) or {{type: int, default: 200}}.");
                continue;
            }
            if (fallback is not null && ParamTypes.Check(type, fallback) is { } why)
            {
                error(new Node(value), null, $"param '{name}' is a {ParamTypes.Name(type)} but its default {why}.");
            }
            list.Add(new PipelineParam(name, type, fallback, new Node(key).Line));
        }
        return list;
    }

    private static PipelineStep? ReadStep(YamlNode key, YamlNode value, Action<Node, string?, string> error)
    {
        var name = Scalar(key) ?? "";
        var at = new Node(key);
        if (!System.Text.RegularExpressions.Regex.IsMatch(name, "^[A-Za-z0-9_-]+$"))
        {
            error(at, null, $"step name '{name}' may hold only letters, digits, '-' and '_'.");
            return null;
        }
        if (value is not YamlMappingNode node)
        {
            error(at, name, "a step is a mapping with uses: (an operation) or run: (a command).");
            return null;
        }
        foreach (var (fieldKey, _) in node.Children)
        {
            if (Scalar(fieldKey) is { } field && !StepFields.Contains(field))
            {
                error(new Node(fieldKey), name, $"unknown field '{field}' (fields: {string.Join(", ", StepFields)}).");
            }
        }
        var (uses, run) = (Scalar(Child(node, "uses")), Scalar(Child(node, "run")));
        if ((uses is null) == (run is null))
        {
            error(at, name, uses is null ? "give either uses: (an operation, e.g. uses: train) or run: (a command)." : "give uses: or run:, not both.");
        }
        var with = new Dictionary<string, string>(StringComparer.Ordinal);
        Flatten(Child(node, run is null ? "with" : "env"), "", with, name, error);
        if (run is not null && Child(node, "with") is { } stray)
        {
            error(new Node(stray), name, "a run: step takes env: (environment variables), not with:.");
        }
        if (uses is not null && Child(node, "env") is { } env)
        {
            error(new Node(env), name, $"an operation takes with:, not env:.");
        }
        var outputs = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Child(node, "outputs") is { } outputNode)
        {
            if (uses is not null)
            {
                error(new Node(outputNode), name, $"an operation's outputs are its own ({string.Join(", ", PipelineOperations.All.GetValueOrDefault(uses)?.Outputs ?? [])}); outputs: is for run: steps.");
            }
            else if (outputNode is YamlMappingNode outputMap)
            {
                foreach (var (k, v) in outputMap.Children)
                {
                    outputs[Scalar(k) ?? ""] = Scalar(v) ?? "";
                }
            }
            else
            {
                error(new Node(outputNode), name, "outputs: is a mapping of output names to the paths the command writes.");
            }
        }
        if (uses is not null && PipelineOperations.All.TryGetValue(uses, out var operation))
        {
            foreach (var output in operation.Outputs)
            {
                outputs[output] = "";
            }
        }
        var retries = 0;
        if (Scalar(Child(node, "retries")) is { } r && (!int.TryParse(r, NumberStyles.Integer, CultureInfo.InvariantCulture, out retries) || retries is < 0 or > 10))
        {
            error(new Node(Child(node, "retries")!), name, $"retries: '{r}' must be a whole number from 0 to 10.");
        }
        var backoff = Duration(node, "backoff", name, error) ?? TimeSpan.FromSeconds(1);
        var timeout = Duration(node, "timeout", name, error);
        return new PipelineStep(name, uses, run, with, List(Child(node, "inputs"), "inputs", name, error), List(Child(node, "needs"), "needs", name, error), outputs,
            Scalar(Child(node, "when")), retries, backoff, timeout, List(Child(node, "labels"), "labels", name, error), at.Line);
    }

    private static void Flatten(YamlNode? node, string prefix, Dictionary<string, string> into, string step, Action<Node, string?, string> error)
    {
        switch (node)
        {
            case null:
                return;
            case YamlMappingNode map:
                foreach (var (k, v) in map.Children)
                {
                    Flatten(v, prefix + Scalar(k) + (v is YamlMappingNode ? "." : ""), into, step, error);
                }
                return;
            case YamlScalarNode scalar when prefix.Length > 0:
                into[prefix] = scalar.Value ?? "";
                return;
            case YamlSequenceNode sequence when prefix.Length > 0:
                into[prefix] = string.Join(",", sequence.Children.Select(Scalar));
                return;
            default:
                error(new Node(node), step, "with: is a mapping of input names to values, e.g. with: {data: train.csv, target: approved}.");
                return;
        }
    }

    private static PipelineOn? ReadOn(YamlNode? node, Action<Node, string?, string> error)
    {
        if (node is null)
        {
            return null;
        }
        const string Fields = "schedule, dataset, alias, alert, pipeline";
        if (node is not YamlMappingNode map)
        {
            error(new Node(node), null, $"on: is a mapping of triggers ({Fields}), e.g. on: {{schedule: \"0 3 * * *\", dataset: applicants}}.");
            return null;
        }
        foreach (var key in map.Children.Keys)
        {
            if (Scalar(key) is not ("schedule" or "dataset" or "alias" or "alert" or "pipeline"))
            {
                error(new Node(key), null, $"on: unknown trigger '{Scalar(key)}' ({Fields}).");
            }
        }
        var schedule = Scalar(Child(map, "schedule"));
        if (schedule is not null && Kiln.Engine.Pipelines.Triggers.Cron.Parse(schedule) is { Error: { } why })
        {
            error(new Node(Child(map, "schedule")!), null, $"on: schedule '{schedule}' {why}");
        }
        var aliases = List(Child(map, "alias"), "on: alias", null, error);
        foreach (var alias in aliases.Where(a => a.Split('@') is not [{ Length: > 0 }, { Length: > 0 }]))
        {
            error(new Node(Child(map, "alias")!), null, $"on: alias '{alias}' must be MODEL@ALIAS, e.g. loan@champion.");
        }
        return new PipelineOn(schedule, List(Child(map, "dataset"), "on: dataset", null, error), aliases, List(Child(map, "alert"), "on: alert", null, error),
            List(Child(map, "pipeline"), "on: pipeline", null, error));
    }

    private static List<string> List(YamlNode? node, string field, string? step, Action<Node, string?, string> error)
    {
        switch (node)
        {
            case null:
                return [];
            case YamlScalarNode one:
                return [one.Value ?? ""];
            case YamlSequenceNode many when many.Children.All(c => c is YamlScalarNode):
                return [.. many.Children.Select(c => Scalar(c) ?? "")];
            default:
                error(new Node(node), step, $"{field}: is a name or a list of names.");
                return [];
        }
    }

    private static TimeSpan? Duration(YamlMappingNode node, string field, string step, Action<Node, string?, string> error)
    {
        if (Scalar(Child(node, field)) is not { } text)
        {
            return null;
        }
        if (text.EndsWith("ms", StringComparison.Ordinal) && int.TryParse(text[..^2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms) && ms >= 0)
        {
            return TimeSpan.FromMilliseconds(ms);
        }
        try
        {
            return WindowLength.Parse(text);
        }
        catch (Core.Errors.KilnException)
        {
            error(new Node(Child(node, field)!), step, $"{field}: '{text}' must be a number and a unit, e.g. 500ms, 30s, 10m or 2h.");
            return null;
        }
    }

    internal static bool ValidName(string name) => name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    private static YamlNode? Child(YamlMappingNode node, string key) => node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static YamlNode? Child(YamlNode? node, string key) => node is YamlMappingNode map ? Child(map, key) : null;

    private static string? Scalar(YamlNode? node) => node is YamlScalarNode { Value: { } v } ? v : null;

    /// <summary>Where a node starts, for messages.</summary>
    private readonly record struct Node(YamlNode Yaml)
    {
        public int Line => (int)Yaml.Start.Line;
    }
}
