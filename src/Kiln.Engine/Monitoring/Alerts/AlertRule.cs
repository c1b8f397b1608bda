using System.Globalization;
using Kiln.Core.Errors;
using YamlDotNet.RepresentationModel;

namespace Kiln.Engine.Monitoring.Alerts;

/// <summary>
/// An alert rule: when <see cref="Condition"/> holds in <see cref="Need"/> of the last <see cref="Of"/> monitored windows of a
/// deployment, an alert fires (at most once per <see cref="Cooldown"/>) and its actions run; it resolves when the condition
/// stops holding. Written in YAML:
/// <code>
/// rules:
///   - name: loan-drift
///     deployment: loan              # default: every deployment
///     when: drift_share >= 0.3       # METRIC OP NUMBER (see AlertCondition)
///     for: 2 of 3                    # default 1 of 1
///     cooldown: 30m                  # default none
///     severity: critical             # info, warning (default), critical
///     actions: [webhook, log, {trigger: pipeline retrain-loan}]
/// </code>
/// </summary>
public sealed record AlertRule(string Name, string? Deployment, AlertCondition Condition, int Need, int Of, TimeSpan Cooldown, string Severity, bool Webhook, bool Log,
    string? Pipeline, string Yaml)
{
    private static readonly string[] Severities = ["info", "warning", "critical"];

    /// <summary>Whether the rule watches <paramref name="deployment"/>.</summary>
    public bool Watches(string deployment) => Deployment is null or "*" || Deployment == deployment;

    /// <summary>Every rule of a YAML document (<c>rules: [...]</c>, or a single rule); each error names the rule and field.</summary>
    public static IReadOnlyList<AlertRule> ParseAll(string yaml)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw KilnException.Invalid($"The alert rules are not valid YAML: {e.Message}");
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw KilnException.Invalid("The alert rules file must be a mapping: rules: [ {name: …, when: …}, … ].");
        }
        var items = root.Children.TryGetValue(new YamlScalarNode("rules"), out var list)
            ? list as YamlSequenceNode ?? throw KilnException.Invalid("'rules' must be a list of rules.")
            : new YamlSequenceNode(root);
        var rules = items.Children.Select((node, i) => Parse(node as YamlMappingNode ?? throw KilnException.Invalid($"Rule {i + 1} is not a mapping of name, when, …."), i)).ToList();
        var twice = rules.GroupBy(r => r.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        return twice is null ? rules : throw KilnException.Invalid($"Two rules are named '{twice.Key}': names must be unique.");
    }

    /// <summary>One rule from its stored YAML.</summary>
    public static AlertRule Parse(string yaml) => ParseAll(yaml) is [var one] ? one : throw KilnException.Invalid("Expected exactly one rule.");

    private static AlertRule Parse(YamlMappingNode node, int index)
    {
        string? Text(string key) => node.Children.TryGetValue(new YamlScalarNode(key), out var v) ? (v as YamlScalarNode)?.Value : null;
        var name = Text("name") is { Length: > 0 } n ? n : throw KilnException.Invalid($"Rule {index + 1} has no name.");
        if (!name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw KilnException.Invalid($"Rule name '{name}' may hold only letters, digits, '-', '_' and '.'.");
        }
        var known = new HashSet<string>(["name", "deployment", "when", "for", "cooldown", "severity", "actions", "description"], StringComparer.Ordinal);
        foreach (var key in node.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value ?? "").Where(k => !known.Contains(k)))
        {
            throw KilnException.Invalid($"Rule '{name}': unknown field '{key}' (fields: {string.Join(", ", known)}).");
        }
        var condition = AlertCondition.Parse(Text("when") ?? throw KilnException.Invalid($"Rule '{name}' has no 'when' condition, e.g. when: drift_share >= 0.3."), name);
        var (need, of) = (1, 1);
        if (Text("for") is { } window)
        {
            var parts = window.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts is not [var a, "of", var b] || !int.TryParse(a, CultureInfo.InvariantCulture, out need) || !int.TryParse(b, CultureInfo.InvariantCulture, out of)
                || need < 1 || of < need || of > 100)
            {
                throw KilnException.Invalid($"Rule '{name}': 'for: {window}' must read N of M (windows), 1 ≤ N ≤ M ≤ 100, e.g. for: 2 of 3.");
            }
        }
        var cooldown = Text("cooldown") is { } c ? WindowLength.Parse(c) : TimeSpan.Zero;
        var severity = Text("severity") ?? "warning";
        if (!Severities.Contains(severity))
        {
            throw KilnException.Invalid($"Rule '{name}': severity '{severity}' is not one of {string.Join(", ", Severities)}.");
        }
        var (webhook, log, pipeline) = (false, false, (string?)null);
        if (node.Children.TryGetValue(new YamlScalarNode("actions"), out var actions))
        {
            foreach (var action in actions as YamlSequenceNode ?? throw KilnException.Invalid($"Rule '{name}': actions must be a list, e.g. [webhook, log]."))
            {
                var text = action switch
                {
                    YamlScalarNode s => s.Value ?? "",
                    YamlMappingNode m when m.Children.Count == 1 && m.Children.First().Key is YamlScalarNode { Value: "trigger" } && m.Children.First().Value is YamlScalarNode v => v.Value ?? "",
                    _ => throw KilnException.Invalid($"Rule '{name}': an action is webhook, log or {{trigger: pipeline NAME}}."),
                };
                var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                switch (words)
                {
                    case ["webhook"]: webhook = true; break;
                    case ["log"]: log = true; break;
                    case ["pipeline", var p]: pipeline = p; break;
                    default: throw KilnException.Invalid($"Rule '{name}': unknown action '{text}' (webhook, log or trigger: pipeline NAME).");
                }
            }
        }
        else
        {
            log = true;
        }
        var emitter = new YamlStream(new YamlDocument(new YamlMappingNode(new YamlScalarNode("rules"), new YamlSequenceNode(node))));
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        emitter.Save(writer, assignAnchors: false);
        var stored = writer.ToString().Replace("\r\n", "\n", StringComparison.Ordinal);
        stored = stored.EndsWith("...\n", StringComparison.Ordinal) ? stored[..^4] : stored; // the emitter's document end marker
        return new AlertRule(name, Text("deployment"), condition, need, of, cooldown, severity, webhook, log, pipeline, stored);
    }
}
