namespace Kiln.Core.Serving;

/// <summary>One route of a deployment: a model reference and its share of the traffic, or a shadow that gets a copy.</summary>
/// <param name="Name">The route's name (a request pins it with the <c>Kiln-Route</c> header).</param>
/// <param name="Model">A model reference, usually <c>models:/NAME@ALIAS</c> (re-resolved as the alias moves).</param>
/// <param name="Weight">Its share of the traffic (relative to the other routes' weights); 0 for a shadow.</param>
/// <param name="Shadow">Whether it gets a copy of every request whose answer is never returned.</param>
/// <param name="Batching">How concurrent requests are batched for models that gain from it (null: <see cref="RouteBatching.Default"/>).</param>
/// <param name="Reference">The data monitoring compares the route's traffic with, <c>datasets:/NAME/VERSION[/FILE]</c> (null: the
/// model package's training profile).</param>
public sealed record DeploymentRoute(string Name, string Model, int Weight, bool Shadow, RouteBatching? Batching = null, string? Reference = null);

/// <summary>How a route batches concurrent requests for predictors that gain from it (ONNX, ML.NET).</summary>
/// <param name="MaxRows">The most rows in one call; 1 turns batching off.</param>
/// <param name="MaxWaitMs">How long a worker may wait for more requests before calling (0: take only those already waiting).</param>
public sealed record RouteBatching(int MaxRows = RouteBatching.DefaultMaxRows, int MaxWaitMs = 0)
{
    /// <summary>The default batch size limit.</summary>
    public const int DefaultMaxRows = 64;

    /// <summary>The default: batches of up to 64 rows, no waiting.</summary>
    public static RouteBatching Default { get; } = new();
}


/// <summary>A named set of routes, stored with every earlier version of itself (so a rollback is one step).</summary>
/// <param name="Name">Unique name; served at <c>/deployments/NAME/invocations</c>.</param>
/// <param name="Routes">The routes.</param>
/// <param name="Version">1, 2, … each update a new version.</param>
/// <param name="UpdatedAt">Unix milliseconds of this version.</param>
/// <param name="UserId">Who made this version.</param>
public sealed record Deployment(string Name, IReadOnlyList<DeploymentRoute> Routes, int Version, long UpdatedAt, string UserId);

/// <summary>Deployments and their versions.</summary>
public interface IDeploymentStore
{
    /// <summary>Saves a new version of a deployment (version 1 creates it: RESOURCE_ALREADY_EXISTS if it exists; later versions need <paramref name="expectedVersion"/> to still be current, else RESOURCE_CONFLICT).</summary>
    Task<Deployment> SaveAsync(string name, IReadOnlyList<DeploymentRoute> routes, int expectedVersion, string userId, long time, CancellationToken ct = default);

    /// <summary>The current version; RESOURCE_DOES_NOT_EXIST when there is none.</summary>
    Task<Deployment> GetAsync(string name, CancellationToken ct = default);

    /// <summary>Every deployment's current version, by name.</summary>
    Task<IReadOnlyList<Deployment>> ListAsync(CancellationToken ct = default);

    /// <summary>Every version of a deployment, newest first.</summary>
    Task<IReadOnlyList<Deployment>> HistoryAsync(string name, CancellationToken ct = default);

    /// <summary>Deletes a deployment with its history (and its replicas' heartbeats).</summary>
    Task DeleteAsync(string name, CancellationToken ct = default);
}
