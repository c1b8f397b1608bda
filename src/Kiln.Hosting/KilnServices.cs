using Kiln.Hosting.Data;
using Kiln.Hosting.Pipelines;
using Kiln.Hosting.Registry;
using Kiln.Hosting.Serving;
using Kiln.Hosting.Stores;
using Kiln.Hosting.Tracking;
using Kiln.Hosting.Training;
using Microsoft.Extensions.DependencyInjection;

namespace Kiln.Hosting;

/// <summary>Every feature's registration in one call; each feature also registers alone (<c>AddKilnTracking()</c>, …).</summary>
public static class KilnServices
{
    /// <summary>
    /// The stores the settings name and every feature over them. A new feature adds its <c>AddKilnX()</c> here. With a
    /// <see cref="KilnSettings.TrackingServer"/>, tracking goes to that server and no local store is opened.
    /// </summary>
    public static IServiceCollection AddKiln(this IServiceCollection services, KilnSettings settings) => settings.TrackingServer is { } server
        ? services.AddKilnRemoteTracking(settings, server).AddKilnTraining()
        : services.AddKilnStores(settings).AddKilnTracking().AddKilnTraining().AddKilnData().AddKilnRegistry().AddKilnServing().AddKilnPipelines();
}
