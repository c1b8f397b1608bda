using System.Data.Common;
using Kiln.Core.Errors;
using Kiln.Core.Stores;
using Kiln.Core.Tracking;
using Kiln.Storage.Sql.Tracking;

namespace Kiln.Storage.Sql;

/// <summary>
/// The metadata store on a SQL database (SQLite or PostgreSQL, the differences kept in the <see cref="SqlDialect"/>):
/// owns the connection, applies <see cref="SchemaMigrations"/> and gives out one store per feature. A new feature's
/// SQL store goes in its own folder under <c>Sql/</c> (as <c>Sql/Tracking/</c>) and is given out here.
/// </summary>
public sealed class SqlMetadataStore : IMetadataStore
{
    private readonly SqlTrackingStore _tracking;

    /// <summary>Wraps an opened dialect; call <see cref="InitializeAsync"/> before use.</summary>
    public SqlMetadataStore(SqlDialect dialect, StoreContext context)
    {
        Dialect = dialect;
        Context = context;
        _tracking = new SqlTrackingStore(dialect, context);
        Data = new Data.SqlDataStore(dialect, context.Time);
        Registry = new Registry.SqlRegistryStore(dialect, context.Time);
        Audit = new Audit.SqlAuditStore(dialect);
        Webhooks = new Webhooks.SqlWebhookStore(dialect);
        Deployments = new Serving.SqlDeploymentStore(dialect, context.Time);
        Predictions = new Serving.SqlPredictionLog(dialect);
        Replicas = new Serving.SqlReplicaStore(dialect);
        Alerts = new Monitoring.SqlAlertStore(dialect);
        Slices = new Monitoring.SqlMonitorSliceStore(dialect);
        Pipelines = new Pipelines.SqlPipelineStore(dialect);
    }

    /// <summary>The dialect in use.</summary>
    public SqlDialect Dialect { get; }

    /// <summary>What the store was opened with.</summary>
    public StoreContext Context { get; }

    /// <inheritdoc />
    public string Kind => Dialect.Name;

    /// <inheritdoc />
    public string DisplayLocation => Dialect.DisplayLocation;

    /// <inheritdoc />
    public ITrackingStore Tracking => _tracking;

    /// <inheritdoc />
    public Core.Data.IDataStore Data { get; }

    /// <inheritdoc />
    public Core.Registry.IRegistryStore Registry { get; }

    /// <inheritdoc />
    public Core.Audit.IAuditStore Audit { get; }

    /// <inheritdoc />
    public Core.Webhooks.IWebhookStore Webhooks { get; }

    /// <inheritdoc />
    public Core.Serving.IDeploymentStore Deployments { get; }

    /// <inheritdoc />
    public Core.Serving.IPredictionLog Predictions { get; }

    /// <inheritdoc />
    public Core.Serving.IReplicaStore Replicas { get; }

    /// <inheritdoc />
    public Core.Monitoring.IAlertStore Alerts { get; }

    /// <inheritdoc />
    public Core.Monitoring.IMonitorSliceStore Slices { get; }

    /// <inheritdoc />
    public Core.Pipelines.IPipelineStore Pipelines { get; }

    /// <summary>Opens and initialises a store over <paramref name="dialect"/>.</summary>
    public static async Task<SqlMetadataStore> OpenAsync(SqlDialect dialect, StoreContext? context = null, CancellationToken ct = default)
    {
        var store = new SqlMetadataStore(dialect, context ?? StoreContext.Default);
        await store.InitializeAsync(ct);
        return store;
    }

    /// <summary>Applies pending migrations (once, even with several starters at a time) and creates the Default experiment.</summary>
    public async Task InitializeAsync(CancellationToken ct = default)
    {
        try
        {
            await MigrationRunner.ApplyAsync(Dialect, SchemaMigrations.All, Context.Time, ct);
            await _tracking.EnsureDefaultExperimentAsync(ct);
        }
        catch (Exception e) when (e is DbException or System.Net.Sockets.SocketException or TimeoutException)
        {
            throw Unreachable(e);
        }
    }

    /// <summary>A database that cannot be reached or read, said in the user's terms: where it is and what to check.</summary>
    private KilnException Unreachable(Exception e) => new(ErrorCode.TemporarilyUnavailable,
        $"Cannot open the {Dialect.Name} store at {Dialect.DisplayLocation}: {e.Message.TrimEnd('.')}. " +
        "Check that the database server is running and reachable and that the store URI (--store or KILN_STORE) is right.", e);

    /// <summary>The schema versions recorded as applied.</summary>
    public async Task<IReadOnlyList<int>> AppliedMigrationsAsync(CancellationToken ct = default)
    {
        await using var connection = await Dialect.OpenAsync(ct);
        await using var command = connection.Command(null, "SELECT version FROM schema_migrations ORDER BY version");
        await using var reader = await command.ExecuteReaderAsync(ct);
        var versions = new List<int>();
        while (await reader.ReadAsync(ct))
        {
            versions.Add(Convert.ToInt32(reader.GetValue(0)));
        }
        return versions;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => Dialect is IAsyncDisposable disposable ? disposable.DisposeAsync() : ValueTask.CompletedTask;
}
