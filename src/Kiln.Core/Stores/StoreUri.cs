using Kiln.Core.Errors;

namespace Kiln.Core.Stores;

/// <summary>A store location such as <c>sqlite:///path/kiln.db</c> or <c>postgresql://user@host/db</c>.</summary>
/// <param name="Scheme">The part before the first colon, lower-cased (e.g. <c>sqlite</c>); picks the store implementation.</param>
/// <param name="Value">The whole URI as given.</param>
public sealed record StoreUri(string Scheme, string Value)
{
    /// <summary>Splits "scheme:rest"; throws INVALID_PARAMETER_VALUE when there is no scheme.</summary>
    public static StoreUri Parse(string uri)
    {
        var colon = uri.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            throw KilnException.Invalid($"Invalid store URI '{uri}': it needs a scheme, e.g. sqlite:///path/to/kiln.db or postgresql://user:password@host:5432/db.");
        }
        return new StoreUri(uri[..colon].ToLowerInvariant(), uri);
    }
}
