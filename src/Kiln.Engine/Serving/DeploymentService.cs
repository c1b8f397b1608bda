using System.Text.RegularExpressions;
using Kiln.Core.Errors;
using Kiln.Core.Registry;
using Kiln.Core.Serving;

namespace Kiln.Engine.Serving;

/// <summary>Deployments as commands and the REST API use them: routes checked (names, model references, weights) before anything is stored.</summary>
/// <remarks>Every change also clears this process's <see cref="DeploymentCache"/> entry, so its own requests see it at once.</remarks>
public sealed partial class DeploymentService(IDeploymentStore store, TimeProvider time, DeploymentCache? cache = null)
{
    /// <summary>Creates a deployment.</summary>
    public Task<Deployment> CreateAsync(string name, IReadOnlyList<DeploymentRoute> routes, string userId, CancellationToken ct = default) =>
        SaveAsync(CheckName(name), Check(routes), 0, userId, ct);

    /// <summary>Replaces a deployment's routes (a new version; the earlier ones are kept for rollback).</summary>
    public async Task<Deployment> UpdateAsync(string name, IReadOnlyList<DeploymentRoute> routes, string userId, CancellationToken ct = default)
    {
        var current = await store.GetAsync(name, ct);
        return await SaveAsync(name, Check(routes), current.Version, userId, ct);
    }

    /// <summary>Deletes a deployment with its history.</summary>
    public async Task DeleteAsync(string name, CancellationToken ct = default)
    {
        await store.DeleteAsync(name, ct);
        cache?.Forget(name);
    }

    private async Task<Deployment> SaveAsync(string name, IReadOnlyList<DeploymentRoute> routes, int expectedVersion, string userId, CancellationToken ct)
    {
        var saved = await store.SaveAsync(name, routes, expectedVersion, userId, time.GetUtcNow().ToUnixTimeMilliseconds(), ct);
        cache?.Forget(name);
        return saved;
    }

    /// <summary>Restores the routes of the version before the current one, as a new version.</summary>
    public async Task<Deployment> RollbackAsync(string name, string userId, CancellationToken ct = default)
    {
        var history = await store.HistoryAsync(name, ct);
        if (history.Count < 2)
        {
            throw KilnException.Invalid($"Deployment '{name}' has only one version: nothing to roll back to.");
        }
        return await SaveAsync(name, history[1].Routes, history[0].Version, userId, ct);
    }

    /// <summary>Parses <c>NAME=MODEL[:WEIGHT]</c> (weight 100 when omitted); shadows take <c>NAME=MODEL</c>.</summary>
    public static DeploymentRoute ParseRoute(string text, bool shadow)
    {
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            throw KilnException.Invalid($"Invalid route '{text}': write NAME=MODEL[:WEIGHT], e.g. champion=models:/loans@champion:90.");
        }
        var (name, model, weight) = (text[..equals], text[(equals + 1)..], shadow ? 0 : 100);
        var colon = model.LastIndexOf(':');
        if (!shadow && colon > 0 && int.TryParse(model[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var w))
        {
            (model, weight) = (model[..colon], w);
        }
        return new DeploymentRoute(name, model, weight, shadow);
    }

    private static string CheckName(string name) =>
        RouteName().IsMatch(name) ? name : throw KilnException.Invalid($"Invalid deployment name '{name}': use letters, digits, '-' and '_' (at most 64).");

    private static IReadOnlyList<DeploymentRoute> Check(IReadOnlyList<DeploymentRoute> routes)
    {
        if (routes.Count(r => !r.Shadow) == 0)
        {
            throw KilnException.Invalid("A deployment needs at least one route that answers (not only shadows): --route NAME=MODEL[:WEIGHT].");
        }
        foreach (var route in routes)
        {
            if (!RouteName().IsMatch(route.Name))
            {
                throw KilnException.Invalid($"Invalid route name '{route.Name}': use letters, digits, '-' and '_' (at most 64).");
            }
            if (ModelUri.Is(route.Model))
            {
                ModelUri.Parse(route.Model);
            }
            else if (!route.Model.StartsWith("runs:/", StringComparison.Ordinal))
            {
                throw KilnException.Invalid($"Route '{route.Name}': '{route.Model}' is not a model reference: use models:/NAME@ALIAS, models:/NAME/VERSION or runs:/RUN_ID/model.");
            }
            if (route.Batching is { } b && (b.MaxRows is < 1 or > 100_000 || b.MaxWaitMs is < 0 or > 1_000))
            {
                throw KilnException.Invalid($"Route '{route.Name}': batching of {b.MaxRows} rows and {b.MaxWaitMs} ms is out of range (rows 1–100,000, 1 = off; wait 0–1,000 ms).");
            }
            if (route.Reference is { } reference && !Data.DatasetReference.IsReference(reference))
            {
                throw KilnException.Invalid($"Route '{route.Name}': the monitoring reference '{reference}' is not a dataset version: use datasets:/NAME/VERSION[/FILE].");
            }
            if (route.Reference is { } parsed)
            {
                Data.DatasetReference.Parse(parsed);
            }
            if (route.Weight < 0 || (route.Shadow && route.Weight != 0))
            {
                throw KilnException.Invalid($"Route '{route.Name}': weight {route.Weight} is not allowed (answering routes take 0 or more, shadows take none).");
            }
        }
        var twice = routes.GroupBy(r => r.Name).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null)
        {
            throw KilnException.Invalid($"Route name '{twice.Key}' is used twice: route names are how requests pin a route (Kiln-Route header).");
        }
        if (routes.Where(r => !r.Shadow).Sum(r => r.Weight) == 0)
        {
            throw KilnException.Invalid("Every answering route has weight 0: give at least one a weight.");
        }
        return routes;
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex RouteName();
}
