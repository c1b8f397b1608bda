using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kiln.Tabular.Statistics;

/// <summary>Source-generated JSON metadata for profiles (no reflection, trimming-safe).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    UseStringEnumConverter = true,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(TableProfile))]
internal sealed partial class ProfileJsonContext : JsonSerializerContext
{
    private static ProfileJsonContext? _indented;

    /// <summary>The same metadata, writing indented JSON.</summary>
    public static ProfileJsonContext Indented => _indented ??= new(new JsonSerializerOptions(Default.Options) { WriteIndented = true });
}
