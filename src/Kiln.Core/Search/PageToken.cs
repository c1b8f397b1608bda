using System.Text;
using System.Text.Json;
using Kiln.Core.Errors;

namespace Kiln.Core.Search;

/// <summary>Opaque page tokens: base64 of <c>{"offset": N}</c>, as MLflow's stores write them.</summary>
public static class PageToken
{
    /// <summary>The token for the page starting at <paramref name="offset"/> (0-based result index).</summary>
    public static string Create(int offset) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"{{\"offset\": {offset}}}"));

    /// <summary>Decodes a token to its offset; null or empty is offset 0.</summary>
    public static int Offset(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return 0;
        }
        try
        {
            using var doc = JsonDocument.Parse(Convert.FromBase64String(token));
            // The JSON's shape is the client's to get wrong: anything but {"offset": <int32 ≥ 0>} is invalid, never a crash.
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("offset", out var offset)
                && offset.ValueKind == JsonValueKind.Number && offset.TryGetInt32(out var value) && value >= 0)
            {
                return value;
            }
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
        }
        throw KilnException.Invalid($"Invalid page token '{token}': pass back the next_page_token of an earlier response unchanged.");
    }
}
