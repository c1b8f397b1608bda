using System.Text.Json.Serialization;
using Kiln.Core.Data;

namespace Kiln.Engine.Data;

/// <summary>A version's manifest as stored (its bytes are hashed into the version id: the format must not drift).</summary>
/// <param name="Format">1.</param>
/// <param name="Files">The files, sorted by path.</param>
internal sealed record Manifest(int Format, IReadOnlyList<ManifestEntry> Files);

/// <summary>A pack's index: which objects its bytes hold, where.</summary>
/// <param name="Format">1.</param>
/// <param name="Pack">The pack's path in the artifact store.</param>
/// <param name="Objects">Each object's hash, offset and length.</param>
internal sealed record PackIndex(int Format, string Pack, IReadOnlyList<PackedObject> Objects);

/// <summary>One object in a pack.</summary>
/// <param name="Hash">Its content hash.</param>
/// <param name="Offset">Where its bytes start in the pack.</param>
/// <param name="Length">How many bytes it has.</param>
internal sealed record PackedObject(string Hash, long Offset, long Length);

/// <summary>Source-generated JSON for manifests and pack indexes (snake_case; no reflection, so a short command starts fast).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(Manifest))]
[JsonSerializable(typeof(PackIndex))]
internal sealed partial class DataJsonContext : JsonSerializerContext;
