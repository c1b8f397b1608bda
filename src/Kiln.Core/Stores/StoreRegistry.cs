using Kiln.Core.Errors;

namespace Kiln.Core.Stores;

/// <summary>
/// Store factories by URI scheme (<c>sqlite</c>, <c>postgresql</c>, <c>file</c>, …): any implementation of
/// <typeparamref name="TStore"/> plugs in by registering a factory. An unknown scheme is an error that lists the known ones.
/// </summary>
public sealed class StoreRegistry<TStore>(string kind)
{
    private readonly Dictionary<string, Func<StoreUri, StoreContext, TStore>> _factories = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Registers a factory for a scheme (e.g. "sqlite"), replacing any earlier one.</summary>
    public StoreRegistry<TStore> Register(string scheme, Func<StoreUri, StoreContext, TStore> factory)
    {
        _factories[scheme] = factory;
        return this;
    }

    /// <summary>The registered schemes, sorted.</summary>
    public IReadOnlyList<string> Schemes => [.. _factories.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Opens the store a URI names.</summary>
    public TStore Open(string uri, StoreContext? context = null)
    {
        var parsed = StoreUri.Parse(uri);
        if (!_factories.TryGetValue(parsed.Scheme, out var factory))
        {
            throw KilnException.Invalid(
                $"Unknown {kind} scheme '{parsed.Scheme}' in '{uri}'. Known schemes: {string.Join(", ", Schemes.Select(s => s + ":"))}.");
        }
        return factory(parsed, context ?? StoreContext.Default);
    }
}
