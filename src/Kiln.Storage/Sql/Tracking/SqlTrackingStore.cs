using System.Data.Common;
using Kiln.Core.Errors;
using Kiln.Core.Stores;
using Kiln.Core.Tracking;

namespace Kiln.Storage.Sql.Tracking;

/// <summary>
/// The tracking store on SQL: one implementation for SQLite and PostgreSQL, the differences kept in
/// <see cref="SqlDialect"/>. <see cref="SqlMetadataStore.Tracking"/> gives it out; its tables are <see cref="TrackingSchema"/>.
/// </summary>
public sealed partial class SqlTrackingStore : ITrackingStore
{
    private const string RunColumns = "r.run_uuid, r.name, r.experiment_id, r.user_id, r.status, r.start_time, r.end_time, r.artifact_uri, r.lifecycle_stage";
    private const string ExperimentColumns = "e.experiment_id, e.name, e.artifact_location, e.lifecycle_stage, e.creation_time, e.last_update_time";

    private readonly SqlDialect _dialect;
    private readonly StoreContext _context;

    /// <summary>The tracking store over a database whose schema <see cref="SqlMetadataStore"/> keeps up to date.</summary>
    internal SqlTrackingStore(SqlDialect dialect, StoreContext context)
    {
        _dialect = dialect;
        _context = context;
    }

    private long Now() => _context.Time.GetUtcNow().ToUnixTimeMilliseconds();

    private string ArtifactLocationFor(long experimentId) =>
        _context.DefaultArtifactRoot.EndsWith(':') ? $"{_context.DefaultArtifactRoot}/{experimentId}" : $"{_context.DefaultArtifactRoot.TrimEnd('/')}/{experimentId}";

    /// <summary>Creates the Default experiment (id 0) when it is missing.</summary>
    internal async Task EnsureDefaultExperimentAsync(CancellationToken ct)
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
