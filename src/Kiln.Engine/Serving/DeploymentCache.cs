using System.Collections.Concurrent;
using Kiln.Core.Serving;

namespace Kiln.Engine.Serving;

/// <summary>
/// Deployments as the scoring path reads them: from memory, re-read from the store when older than <see cref="MaxAge"/>,
/// so a request costs no database query while a change made by another process (another replica's
/// <c>kiln deploy update</c>, a rollback) still reaches every replica within a second — as alias moves do. Changes made
/// through this process's <see cref="DeploymentService"/> are seen at once (<see cref="Forget"/>).
/// </summary>
public sealed class DeploymentCache(IDeploymentStore store, TimeProvider time)
{
    /// <summary>How long a read deployment is used before it is read again.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, (Deployment Deployment, long At)> _cache = new(StringComparer.Ordinal);

    /// <summary>The deployment named <paramref name="name"/> (RESOURCE_DOES_NOT_EXIST when there is none; that is not cached).</summary>
    public async ValueTask<Deployment> GetAsync(string name, CancellationToken ct = default)
    {
        var now = time.GetTimestamp();
        if (_cache.TryGetValue(name, out var entry) && time.GetElapsedTime(entry.At, now) < MaxAge)
        {
            return entry.Deployment;
        }
        var fresh = await store.GetAsync(name, ct);
        _cache[name] = (fresh, now);
        return fresh;
    }

    /// <summary>Drops what is cached for <paramref name="name"/>: the next request reads the store.</summary>
    public void Forget(string name) => _cache.TryRemove(name, out _);
}
