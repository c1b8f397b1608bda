using Kiln.Core.Stores;
using Kiln.Engine.Registry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Kiln.Hosting.Registry;

/// <summary>Registers the model registry.</summary>
public static class RegistryRegistration
{
    /// <summary>Adds the <see cref="Core.Registry.IRegistryStore"/> (from the metadata store) and the <see cref="RegistryService"/>.</summary>
    public static IServiceCollection AddKilnRegistry(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => sp.GetRequiredService<IMetadataStore>().Registry);
        services.TryAddSingleton<RegistryService>();
        services.TryAddSingleton<IModelFiles>(sp => sp.GetRequiredService<RegistryService>());
        services.TryAddTransient<Kiln.Engine.Registry.Gates.GateService>();
        services.TryAddTransient<Kiln.Engine.Flavors.ModelImportService>();
        services.TryAddSingleton(sp => sp.GetRequiredService<IMetadataStore>().Webhooks);
        services.TryAddSingleton(sp => new Kiln.Engine.Registry.Webhooks.WebhookService(sp.GetRequiredService<Kiln.Core.Webhooks.IWebhookStore>(),
            new HttpClient(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<Kiln.Core.Ids.IdGenerator>()));
        return services;
    }
}
