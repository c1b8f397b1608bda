using Kiln.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Kiln.Testing;

/// <summary>A Kiln home (SQLite store + artifact folder) in a temporary directory, and hosts opened over it.</summary>
public sealed class TempKilnHome : IDisposable
{
    private readonly TempDirectory _dir = new("kiln-home-");

    /// <summary>The home directory.</summary>
    public string Dir => _dir.Path;

    /// <summary>Settings for this home (store <c>kiln.db</c>, artifacts in <c>artifacts/</c>), or for another store URI.</summary>
    public KilnSettings Settings(string? storeUri = null) => KilnSettings.Resolve(storeUri ?? _dir.SqliteUri(), _dir.File("artifacts"), Dir);

    /// <summary>Opens Kiln's services over this home; <paramref name="configure"/> may replace services (e.g. a fake clock).</summary>
    public Task<KilnHost> OpenAsync(Action<IServiceCollection>? configure = null, string? storeUri = null) => KilnHost.OpenAsync(Settings(storeUri), configure);

    /// <inheritdoc />
    public void Dispose() => _dir.Dispose();
}
