using Kiln.Core.Pipelines;

namespace Kiln.Storage.Sql.Pipelines;

/// <summary>The queue: claims, heartbeats and run updates.</summary>
public sealed partial class SqlPipelineStore
{
    public Task<ClaimedStep?> ClaimAsync(string worker, IReadOnlyList<string> labelSets, long now, long leaseUntil, string? onlyRun = null, CancellationToken ct = default) =>
        dialect.WriteAsync<ClaimedStep?>(async (connection, transaction) =>
        {
            // The oldest claimable step: ready and due, else running under a lease that ran out (its worker died); each lookup
            // walks its own index. SKIP LOCKED lets concurrent workers on PostgreSQL each take a different row instead of queueing
            // behind one.
            var filter = $"{dialect.InStringSet("labels", "@labels")}{(onlyRun is null ? "" : " AND run_id = @only")}";
            (string, object?)[] args = [("now", now), ("labels", dialect.StringSet(labelSets)), ("only", onlyRun)];
            var claimed = await ReadStepsAsync(connection, transaction, $"""
                WHERE (run_id, step) = (
                    SELECT run_id, step FROM pipeline_steps WHERE status = 'ready' AND ready_at <= @now AND {filter}
                    ORDER BY ready_at, run_id, position LIMIT 1{dialect.SkipLocked})
                """, ct, args);
            if (claimed.Count == 0)
            {
                claimed = await ReadStepsAsync(connection, transaction, $"""
                    WHERE (run_id, step) = (
                        SELECT run_id, step FROM pipeline_steps WHERE status = 'running' AND lease_until < @now AND {filter}
                        ORDER BY lease_until LIMIT 1{dialect.SkipLocked})
                    """, ct, args);
            }
            if (claimed.Count == 0)
            {
                return null;
            }
            var step = claimed[0];
            await connection.ExecuteAsync(transaction, """
                UPDATE pipeline_steps SET status = 'running', worker = @w, attempt = attempt + 1, lease_until = @lu, started_at = @now, finished_at = NULL
                WHERE run_id = @run AND step = @step
                """, ct, ("w", worker), ("lu", leaseUntil), ("now", now), ("run", step.RunId), ("step", step.Step));
            await connection.ExecuteAsync(transaction, "UPDATE pipeline_runs SET status = 'running', started_at = COALESCE(started_at, @now) WHERE id = @id AND status = 'queued'",
                ct, ("now", now), ("id", step.RunId));
            var run = (await ReadRunsAsync(connection, transaction, "WHERE id = @id", ct, ("id", step.RunId)))[0];
            return new ClaimedStep(run, step with { Status = StepStatuses.Running, Worker = worker, Attempt = step.Attempt + 1, LeaseUntil = leaseUntil, StartedAt = now, FinishedAt = null });
        }, ct);

    public async Task<bool> HeartbeatAsync(string runId, string step, string worker, int attempt, long leaseUntil, CancellationToken ct = default) =>
        await dialect.WriteAsync((connection, transaction) => connection.ExecuteAsync(transaction, """
            UPDATE pipeline_steps SET lease_until = @lu WHERE run_id = @run AND step = @step AND worker = @w AND attempt = @a AND status = 'running'
            """, ct, ("lu", leaseUntil), ("run", runId), ("step", step), ("w", worker), ("a", (long)attempt)), ct) == 1;

    public Task<RunChanges?> UpdateRunAsync(string runId, Func<PipelineRun, IReadOnlyList<StepRun>, RunChanges?> decide, CancellationToken ct = default) =>
        dialect.WriteAsync<RunChanges?>(async (connection, transaction) =>
        {
            // Lock the run row (a write that changes nothing) before reading its steps, so decisions about one run are serialised.
            if (await connection.ExecuteAsync(transaction, "UPDATE pipeline_runs SET status = status WHERE id = @id", ct, ("id", runId)) == 0)
            {
                return null;
            }
            var run = (await ReadRunsAsync(connection, transaction, "WHERE id = @id", ct, ("id", runId)))[0];
            var steps = await ReadStepsAsync(connection, transaction, "WHERE run_id = @run ORDER BY position", ct, ("run", runId));
            if (decide(run, steps) is not { } changes)
            {
                return null;
            }
            if (changes.Run is { } changed)
            {
                await connection.ExecuteAsync(transaction, """
                    UPDATE pipeline_runs SET status = @s, trigger_kind = @tk, cause = @c, params_json = @pj, spec_yaml = @y, force = @f, user_name = @u, created_at = @ca,
                        started_at = @sa, finished_at = @fa, error = @e, tracking_run_id = @tr
                    WHERE id = @id
                    """, ct, RunArgs(changed with { Id = runId }));
            }
            foreach (var step in changes.Steps)
            {
                await connection.ExecuteAsync(transaction, """
                    UPDATE pipeline_steps SET status = @s, attempt = @a, failures = @fl, labels = @l, ready_at = @r, worker = @w, lease_until = @lu, started_at = @sa,
                        finished_at = @fa, outputs_json = @o, cache_key = @k, cached_from = @cf, error = @e, tracking_run_id = @tr
                    WHERE run_id = @run AND step = @step
                    """, ct, StepArgs(step with { RunId = runId }));
            }
            return changes;
        }, ct);
}
