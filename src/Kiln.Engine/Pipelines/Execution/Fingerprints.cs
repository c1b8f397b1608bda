using System.Security.Cryptography;
using System.Text;
using Kiln.Engine.Data;
using Kiln.Engine.Registry;

namespace Kiln.Engine.Pipelines.Execution;

/// <summary>
/// Cache keys: what a step's result depends on, hashed. An input that names content is replaced by that content's identity
/// — a file by its BLAKE3 hash, a folder by its files' paths and hashes, <c>datasets:/NAME@latest</c> by the version it is
/// now (version ids are content hashes), <c>models:/NAME@ALIAS</c> by the version it names now and that version's source —
/// so a key changes exactly when something the step reads changes.
/// </summary>
/// <param name="data">Data sets, to resolve <c>datasets:/</c> references (null when the store has none, e.g. a remote server).</param>
/// <param name="registry">The registry, to resolve <c>models:/</c> references (null likewise).</param>
public sealed class Fingerprints(DataService? data, RegistryService? registry)
{
    /// <summary>The version of Kiln that runs operations: a new Kiln may compute differently, so it is part of every key.</summary>
    public static string KilnVersion { get; } =
        typeof(Fingerprints).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false) is [System.Reflection.AssemblyInformationalVersionAttribute a, ..]
            ? a.InformationalVersion : typeof(Fingerprints).Assembly.GetName().Version?.ToString() ?? "0";

    /// <summary>The cache key of a step with these resolved parts (hex SHA-256).</summary>
    public async Task<string> KeyAsync(StepContext step, IReadOnlyList<string> state, CancellationToken ct)
    {
        var text = new StringBuilder("kiln-step-cache/2\n");
        void Line(string label, string value) => text.Append(label).Append('\t').Append(value.Replace("\n", "\\n", StringComparison.Ordinal)).Append('\n');
        Line("kiln", KilnVersion);
        Line("step", $"{step.Run.Pipeline}/{step.Definition.Name}"); // a step's cache is its own: two steps with the same command may do different things
        Line("uses", step.Definition.Uses ?? "");
        Line("run", step.Definition.Run ?? "");
        foreach (var (name, value) in step.With.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            Line("with." + name, await OfAsync(value, ct));
        }
        foreach (var input in step.Inputs)
        {
            Line("input", await OfAsync(input, ct));
        }
        foreach (var (name, path) in step.Outputs.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            Line("output." + name, path);
        }
        foreach (var s in state)
        {
            Line("state", s);
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>The identity of what <paramref name="value"/> names: content for files, folders, data sets and models; else the text itself.</summary>
    public async Task<string> OfAsync(string value, CancellationToken ct)
    {
        if (DatasetReference.IsReference(value) && data is not null)
        {
            var reference = DatasetReference.Parse(value);
            var version = await data.GetVersionAsync(reference.Name, reference.Version, ct);
            return $"datasets:/{version.Dataset}/{version.VersionId}{(reference.File is null ? "" : "/" + reference.File)}";
        }
        if (value.StartsWith("models:/", StringComparison.Ordinal) && registry is not null)
        {
            var version = await registry.ResolveAsync(value, ct);
            return $"models:/{version.Name}/{version.Version} {version.Source}";
        }
        if (value.Length is > 0 and < 4096 && value.IndexOfAny(['\n', '\0']) < 0)
        {
            if (File.Exists(value))
            {
                return "file:" + await ContentHash.OfFileAsync(value, ct);
            }
            if (Directory.Exists(value))
            {
                var parts = new StringBuilder("folder:");
                foreach (var file in Directory.EnumerateFiles(value, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                {
                    parts.Append(Path.GetRelativePath(value, file)).Append('=').Append(await ContentHash.OfFileAsync(file, ct)).Append(';');
                }
                return parts.ToString();
            }
        }
        return value;
    }
}
