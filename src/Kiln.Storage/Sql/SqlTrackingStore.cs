using System.Data.Common;
using Kiln.Core.Errors;
using Kiln.Core.Tracking;

namespace Kiln.Storage.Sql;

/// <summary>
/// The tracking store on SQL: one implementation for SQLite and PostgreSQL, the differences kept in
/// <see cref="SqlDialect"/>. Create it with <see cref="OpenAsync"/>, which applies pending migrations.
/// </summary>
public sealed partial class SqlTrackingStore : ITrackingStore
{
    private const string RunColumns = "r.run_uuid, r.name, r.experiment_id, r.user_id, r.status, r.start_time, r.end_time, r.artifact_uri, r.lifecycle_stage";
    private const string ExperimentColumns = "e.experiment_id, e.name, e.artifact_location, e.lifecycle_stage, e.creation_time, e.last_update_time";

    private readonly SqlDialect _dialect;
    private readonly string _defaultArtifactRoot;

    private SqlTrackingStore(SqlDialect dialect, string defaultArtifactRoot)
    {
        _dialect = dialect;
        _defaultArtifactRoot = defaultArtifactRoot;
    }

    /// <summary>The dialect in use.</summary>
    public SqlDialect Dialect => _dialect;

    /// <summary>
    /// Opens the store: applies migrations and makes sure the Default experiment (id 0) exists.
    /// <paramref name="defaultArtifactRoot"/> is where new experiments keep artifacts, e.g. <c>mlflow-artifacts:</c>.
    /// </summary>
    public static async Task<SqlTrackingStore> OpenAsync(SqlDialect dialect, string defaultArtifactRoot, CancellationToken ct = default)
    {
        var store = new SqlTrackingStore(dialect, defaultArtifactRoot);
        await MigrationRunner.ApplyAsync(dialect, ct);
        await store.EnsureDefaultExperimentAsync(ct);
        return store;
    }

    /// <summary>The schema versions recorded as applied.</summary>
    public async Task<IReadOnlyList<int>> AppliedMigrationsAsync(CancellationToken ct = default)
    {
        await using var connection = await _dialect.OpenAsync(ct);
        await using var command = connection.Command(null, "SELECT version FROM schema_migrations ORDER BY version");
        await using var reader = await command.ExecuteReaderAsync(ct);
        var versions = new List<int>();
        while (await reader.ReadAsync(ct))
        {
            versions.Add(Convert.ToInt32(reader.GetValue(0)));
        }
        return versions;
    }

    public ValueTask DisposeAsync() => _dialect is IAsyncDisposable disposable ? disposable.DisposeAsync() : ValueTask.CompletedTask;

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private string ArtifactLocationFor(long experimentId) =>
        _defaultArtifactRoot.EndsWith(':') ? $"{_defaultArtifactRoot}/{experimentId}" : $"{_defaultArtifactRoot.TrimEnd('/')}/{experimentId}";

    private async Task EnsureDefaultExperimentAsync(CancellationToken ct)
    {
        await _dialect.WriteAsync(async (connection, transaction) =>
        {
            var exists = await connection.ScalarAsync(transaction, "SELECT 1 FROM experiments WHERE experiment_id = 0", ct);
            if (exists is null)
            {
                var now = Now();
                await connection.ExecuteAsync(transaction,
                    "INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time) VALUES (0, 'Default', @loc, 'active', @t, @t)",
                    ct, ("loc", ArtifactLocationFor(0)), ("t", now));
            }
            return 0;
        }, ct);
    }

    private static RunInfo ReadRunInfo(DbDataReader reader) => new(
        RunId: reader.GetString(0),
        RunName: reader.GetString(1),
        ExperimentId: reader.GetInt64(2).ToString(),
        UserId: reader.GetString(3),
        Status: RunStatusNames.Parse(reader.GetString(4)),
        StartTime: reader.GetInt64(5),
        EndTime: reader.NullableInt64(6),
        ArtifactUri: reader.GetString(7),
        LifecycleStage: LifecycleNames.ParseStage(reader.GetString(8)));

    private static bool TryParseExperimentId(string? experimentId, out long id) => long.TryParse(experimentId, out id);

    private static KilnException ExperimentNotFound(string experimentId) =>
        KilnException.NotFound($"No Experiment with id={experimentId} exists.");

    private static KilnException RunNotFound(string runId) =>
        KilnException.NotFound($"Run with id={runId} not found.");

    /// <summary>Reads a run's lifecycle stage inside a transaction; throws if the run does not exist or (when required) is not active.</summary>
    private static async Task<LifecycleStage> RunStageAsync(DbConnection connection, DbTransaction transaction, string runId, bool requireActive, CancellationToken ct)
    {
        var stage = await connection.ScalarAsync(transaction, "SELECT lifecycle_stage FROM runs WHERE run_uuid = @id", ct, ("id", runId)) as string
            ?? throw RunNotFound(runId);
        var parsed = LifecycleNames.ParseStage(stage);
        if (requireActive && parsed != LifecycleStage.Active)
        {
            throw KilnException.Invalid($"The run {runId} must be in the 'active' state. Current state is {stage}. Restore it first (runs/restore).");
        }
        return parsed;
    }
}
