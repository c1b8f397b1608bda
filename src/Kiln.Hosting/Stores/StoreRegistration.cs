using Kiln.Core.Artifacts;
using Kiln.Core.Errors;
using Kiln.Core.Ids;
using Kiln.Core.Stores;
using Kiln.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Kiln.Hosting.Stores;

/// <summary>Registers the stores the settings name: the metadata store (opened by URI scheme) and the artifact store.</summary>
public static class StoreRegistration
{
    /// <summary>
    /// Adds <see cref="KilnSettings"/>, the clock (<see cref="TimeProvider.System"/> unless one is registered), the id
    /// generator, the <see cref="IMetadataStore"/> and the <see cref="IArtifactStore"/>, and the hosted service that
    /// migrates the metadata store before anything else starts. The host disposes the stores.
    /// </summary>
    public static IServiceCollection AddKilnStores(this IServiceCollection services, KilnSettings settings)
    {
        services.TryAddSingleton(settings);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(IdGenerator.Default);
        services.TryAddSingleton(sp => new StoreContext(settings.DefaultArtifactRoot ?? ArtifactUris.ProxiedScheme, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IdGenerator>()));
        services.TryAddSingleton(sp => FromSetting(() => StoreFactories.Metadata.Open(settings.StoreUri, sp.GetRequiredService<StoreContext>()), "--store or KILN_STORE"));
        services.TryAddSingleton(sp => FromSetting(() => StoreFactories.OpenArtifacts(settings.ArtifactsRoot, sp.GetRequiredService<StoreContext>()), "--artifacts or KILN_ARTIFACTS"));
        services.TryAddSingleton(sp => sp.GetRequiredService<IMetadataStore>().Audit);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, StoreInitializer>());
        return services;
    }

    /// <summary>A bad store location names the flag and variable it came from, so the user knows what to change.</summary>
    private static T FromSetting<T>(Func<T> open, string setting)
    {
        try
        {
            return open();
        }
        catch (KilnException e) when (e.Code == ErrorCode.InvalidParameterValue)
        {
            throw new KilnException(e.Code, $"{e.Message} Set it with {setting}.", e);
        }
    }
}
