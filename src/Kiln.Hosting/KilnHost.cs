using Kiln.Core.Stores;
using Microsoft.Extensions.DependencyInjection;

namespace Kiln.Hosting;

/// <summary>
/// Kiln's services without a web server, for CLI commands and tests: <see cref="KilnServices.AddKiln"/> over the
/// settings, the metadata store (when tracking is local) initialised (migrated) on open, everything disposed with the host.
/// </summary>
public sealed class KilnHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private KilnHost(ServiceProvider services) => _services = services;

    /// <summary>The container.</summary>
    public IServiceProvider Services => _services;

    /// <summary>Opens the stores and registers every feature; <paramref name="configure"/> may add or replace services (a clock, a fake).</summary>
    public static async Task<KilnHost> OpenAsync(KilnSettings settings, Action<IServiceCollection>? configure = null, CancellationToken ct = default)
    {
        var services = new ServiceCollection();
        configure?.Invoke(services);
        services.AddKiln(settings);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        try
        {
            if (provider.GetService<IMetadataStore>() is { } store)
            {
                await store.InitializeAsync(ct);
            }
            return new KilnHost(provider);
        }
        catch
        {
            await provider.DisposeAsync();
            throw;
        }
    }

    /// <summary>A registered service.</summary>
    public T Get<T>()
        where T : notnull => _services.GetRequiredService<T>();

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
