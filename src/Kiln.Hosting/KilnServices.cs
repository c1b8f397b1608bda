using Kiln.Hosting.Stores;
using Kiln.Hosting.Tracking;
using Kiln.Hosting.Training;
using Microsoft.Extensions.DependencyInjection;

namespace Kiln.Hosting;

/// <summary>Every feature's registration in one call; each feature also registers alone (<c>AddKilnTracking()</c>, …).</summary>
public static class KilnServices
{
    /// <summary>The stores the settings name and every feature over them. A new feature adds its <c>AddKilnX()</c> here.</summary>
    public static IServiceCollection AddKiln(this IServiceCollection services, KilnSettings settings) => services
        .AddKilnStores(settings)
        .AddKilnTracking()
        .AddKilnTraining();
}
