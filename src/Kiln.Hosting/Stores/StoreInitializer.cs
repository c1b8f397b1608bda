using Kiln.Core.Stores;
using Microsoft.Extensions.Hosting;

namespace Kiln.Hosting.Stores;

/// <summary>
/// Brings the metadata store up to date (migrations, built-in rows) when the host is starting — before any hosted
/// service or the web server starts, so nothing sees an unmigrated database.
/// </summary>
internal sealed class StoreInitializer(IMetadataStore store) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => store.InitializeAsync(cancellationToken);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
