using Kiln.Core.Stores;
using Kiln.Engine.Data;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Kiln.Hosting.Data;

/// <summary>Registers versioned datasets.</summary>
public static class DataRegistration
{
    /// <summary>Adds the <see cref="Core.Data.IDataStore"/> (from the metadata store) and the <see cref="DataService"/> over it and the artifact store.</summary>
    public static IServiceCollection AddKilnData(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => sp.GetRequiredService<IMetadataStore>().Data);
        services.TryAddSingleton<DataService>();
        return services;
    }
}
