using Kiln.Core.Artifacts;
using Kiln.Engine.Tracking;
using Kiln.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Kiln.Testing;

/// <summary>A test class with Kiln's services over a fresh temporary home (SQLite store + artifact folder), per test.</summary>
public abstract class KilnHostTest : IAsyncLifetime
{
    private readonly TempKilnHome _home = new();

    /// <summary>The home directory (for input files too).</summary>
    protected string Dir => _home.Dir;

    /// <summary>The opened host.</summary>
    protected KilnHost Host { get; private set; } = null!;

    /// <summary>The tracking service.</summary>
    protected TrackingService Tracking => Host.Get<TrackingService>();

    /// <summary>The artifact store.</summary>
    protected IArtifactStore Artifacts => Host.Get<IArtifactStore>();

    /// <summary>Services to add or replace before the host is built (a fake clock, say).</summary>
    protected virtual void Configure(IServiceCollection services)
    {
    }

    /// <inheritdoc />
    public async Task InitializeAsync() => Host = await _home.OpenAsync(Configure);

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        _home.Dispose();
    }
}
