using Kiln.Core.Tracking;

namespace Kiln.Core.Stores;

/// <summary>
/// An opened metadata database and the feature stores over it. One implementation per kind of database (SQL today:
/// SQLite and PostgreSQL); each feature adds its store here (tracking now; registry, datasets, deployments and jobs
/// next), each with its own contract test suite. Registered by URI scheme in a <see cref="StoreRegistry{TStore}"/>.
/// </summary>
public interface IMetadataStore : IAsyncDisposable
{
    /// <summary>The kind of store, for messages ("sqlite", "postgresql").</summary>
    string Kind { get; }

    /// <summary>Where the database is, with any password removed.</summary>
    string DisplayLocation { get; }

    /// <summary>Brings the database up to date (schema migrations, built-in rows such as the Default experiment). Call once after opening; safe to call again.</summary>
    Task InitializeAsync(CancellationToken ct = default);

    /// <summary>Experiments, runs, metrics, params, tags and dataset inputs.</summary>
    ITrackingStore Tracking { get; }

    /// <summary>Versioned datasets.</summary>
    Data.IDataStore Data { get; }

    /// <summary>The model registry: registered models, versions, aliases and their history.</summary>
    Registry.IRegistryStore Registry { get; }

    /// <summary>The append-only, hash-chained audit log of changes to the registry, datasets and experiments.</summary>
    Audit.IAuditStore Audit { get; }

    /// <summary>Webhook subscriptions and their durable outbox.</summary>
    Webhooks.IWebhookStore Webhooks { get; }

    /// <summary>Deployments (serving routes) and their versions.</summary>
    Serving.IDeploymentStore Deployments { get; }

    /// <summary>The prediction log (served predictions and their ground truth).</summary>
    Serving.IPredictionLog Predictions { get; }

    /// <summary>The serving replicas' heartbeats (what each serves, its traffic).</summary>
    Serving.IReplicaStore Replicas { get; }

    /// <summary>Alert rules, their evaluated windows and the alerts they raised.</summary>
    Monitoring.IAlertStore Alerts { get; }

    /// <summary>Monitoring's stored slices (mergeable summaries of logged traffic).</summary>
    Monitoring.IMonitorSliceStore Slices { get; }

    /// <summary>Pipelines, their runs and steps, the step cache and the queue workers claim steps from.</summary>
    Pipelines.IPipelineStore Pipelines { get; }
}
