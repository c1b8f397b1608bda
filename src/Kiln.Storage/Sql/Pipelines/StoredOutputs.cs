using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Kiln.Storage.Sql.Pipelines;

/// <summary>
/// A step's outputs as stored (a JSON object), parsed on first use: deciding a run's next steps reads every step's row but
/// looks at few steps' outputs, and a step written back unchanged is written as the text it was read as.
/// </summary>
/// <param name="json">The stored JSON object.</param>
internal sealed class StoredOutputs(string json) : IReadOnlyDictionary<string, string>
{
    private static readonly Dictionary<string, string> Empty = [];
    private Dictionary<string, string>? _parsed = json == "{}" ? Empty : null;

    /// <summary>The JSON it was read from.</summary>
    public string Json { get; } = json;

    private Dictionary<string, string> Parsed => _parsed ??= JsonSerializer.Deserialize<Dictionary<string, string>>(Json) ?? Empty;

    public string this[string key] => Parsed[key];

    public IEnumerable<string> Keys => Parsed.Keys;

    public IEnumerable<string> Values => Parsed.Values;

    public int Count => Parsed.Count;

    public bool ContainsKey(string key) => Parsed.ContainsKey(key);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value) => Parsed.TryGetValue(key, out value);

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => Parsed.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
