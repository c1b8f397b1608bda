using System.Text.Json;
using Kiln.Core.Pipelines;

namespace Kiln.Client;

/// <summary>A stored pipeline as the server describes it.</summary>
/// <param name="Name">Its name.</param>
/// <param name="Description">What it is for, or null.</param>
/// <param name="Hash">The SHA-256 of its file.</param>
/// <param name="UpdatedAt">When it was stored (Unix milliseconds).</param>
/// <param name="UpdatedBy">Who stored it.</param>
/// <param name="Steps">Its steps' names, in file order.</param>
/// <param name="Yaml">Its file (only from <see cref="KilnClient.GetPipelineAsync"/>), else null.</param>
public sealed record PipelineInfo(string Name, string? Description, string Hash, long UpdatedAt, string UpdatedBy, IReadOnlyList<string> Steps, string? Yaml);

/// <summary>A pipeline run with its steps.</summary>
/// <param name="Run">The run (its <see cref="PipelineRun.SpecYaml"/> is empty over REST).</param>
/// <param name="Steps">Its steps, in file order.</param>
public sealed record PipelineRunSteps(PipelineRun Run, IReadOnlyList<StepRun> Steps);

public sealed partial class KilnClient
{
    /// <summary>The pipelines stored on the server (<c>kiln pipeline apply</c> or <see cref="ApplyPipelineAsync"/>).</summary>
    public async Task<IReadOnlyList<PipelineInfo>> ListPipelinesAsync(CancellationToken ct = default)
    {
        using var doc = await _rest.GetKilnAsync("api/kiln/pipelines", [], ct);
        return [.. doc.RootElement.GetProperty("pipelines").EnumerateArray().Select(ReadPipeline)];
    }

    /// <summary>A stored pipeline with its file.</summary>
    /// <exception cref="Kiln.Core.Errors.KilnException"><c>RESOURCE_DOES_NOT_EXIST</c> when none is stored by that name.</exception>
    public async Task<PipelineInfo> GetPipelineAsync(string name, CancellationToken ct = default)
    {
        using var doc = await _rest.GetKilnAsync(PipelinePath(name), [], ct);
        return ReadPipeline(doc.RootElement);
    }

    /// <summary>Stores (or replaces) a pipeline file on the server, validated first; <paramref name="name"/> must be the file's name.</summary>
    /// <exception cref="Kiln.Core.Errors.KilnException"><c>INVALID_PARAMETER_VALUE</c> listing every problem with the file.</exception>
    public async Task<PipelineInfo> ApplyPipelineAsync(string name, string yaml, CancellationToken ct = default)
    {
        using var doc = await _rest.SendKilnAsync(HttpMethod.Put, PipelinePath(name), w => w.WriteString("yaml", yaml), null, ct);
        return ReadPipeline(doc.RootElement);
    }

    /// <summary>Deletes a stored pipeline (its runs are kept).</summary>
    public async Task DeletePipelineAsync(string name, CancellationToken ct = default) =>
        (await _rest.SendKilnAsync(HttpMethod.Delete, PipelinePath(name), null, null, ct)).Dispose();

    /// <summary>Queues a run of a stored pipeline with <paramref name="parameters"/> (checked against their types); the server's workers run it.</summary>
    /// <param name="name">The stored pipeline.</param>
    /// <param name="parameters">Params by name (defaults fill the rest).</param>
    /// <param name="force">Run every step, cached or not.</param>
    /// <param name="ct">Cancels the call.</param>
    public async Task<PipelineRunSteps> RunPipelineAsync(string name, IReadOnlyDictionary<string, string>? parameters = null, bool force = false, CancellationToken ct = default)
    {
        using var doc = await _rest.SendKilnAsync(HttpMethod.Post, PipelinePath(name) + "/runs", w =>
        {
            w.WriteStartObject("params");
            foreach (var (k, v) in parameters ?? new Dictionary<string, string>())
            {
                w.WriteString(k, v);
            }
            w.WriteEndObject();
            w.WriteBoolean("force", force);
        }, null, ct);
        return ReadDetail(doc.RootElement);
    }

    /// <summary>The newest runs, of one pipeline or all, optionally only those with the given statuses.</summary>
    public async Task<IReadOnlyList<PipelineRun>> ListPipelineRunsAsync(string? pipeline = null, IReadOnlyList<string>? statuses = null, int max = 50, CancellationToken ct = default)
    {
        using var doc = await _rest.GetKilnAsync("api/kiln/pipeline-runs",
            [("pipeline", pipeline), ("status", statuses is { Count: > 0 } ? string.Join(",", statuses) : null), ("max", max.ToString(System.Globalization.CultureInfo.InvariantCulture))], ct);
        return [.. doc.RootElement.GetProperty("runs").EnumerateArray().Select(ReadRun)];
    }

    /// <summary>A run with its steps (status, attempts, worker, cache hits, errors, outputs).</summary>
    public async Task<PipelineRunSteps> GetPipelineRunAsync(string runId, CancellationToken ct = default)
    {
        using var doc = await _rest.GetKilnAsync(RunPath(runId), [], ct);
        return ReadDetail(doc.RootElement);
    }

    /// <summary>Cancels a queued or running run.</summary>
    public async Task<PipelineRunSteps> CancelPipelineRunAsync(string runId, CancellationToken ct = default)
    {
        using var doc = await _rest.SendKilnAsync(HttpMethod.Post, RunPath(runId) + "/cancel", _ => { }, null, ct);
        return ReadDetail(doc.RootElement);
    }

    /// <summary>Resumes a failed or cancelled run from its failed steps.</summary>
    public async Task<PipelineRunSteps> ResumePipelineRunAsync(string runId, CancellationToken ct = default)
    {
        using var doc = await _rest.SendKilnAsync(HttpMethod.Post, RunPath(runId) + "/resume", _ => { }, null, ct);
        return ReadDetail(doc.RootElement);
    }

    /// <summary>A step's log (its latest attempt), or null when it has none.</summary>
    public async Task<string?> GetPipelineStepLogAsync(string runId, string step, CancellationToken ct = default)
    {
        using var doc = await _rest.GetKilnAsync($"{RunPath(runId)}/steps/{Uri.EscapeDataString(step)}/log", [], ct);
        return doc.RootElement.GetProperty("log").GetString();
    }

    /// <summary>Polls a run until it finishes (succeeded, failed or cancelled) and returns it.</summary>
    public async Task<PipelineRunSteps> WaitForPipelineRunAsync(string runId, TimeSpan? poll = null, CancellationToken ct = default)
    {
        while (true)
        {
            var detail = await GetPipelineRunAsync(runId, ct);
            if (detail.Run.IsFinished)
            {
                return detail;
            }
            await Task.Delay(poll ?? TimeSpan.FromMilliseconds(200), ct);
        }
    }

    private static string PipelinePath(string name) => $"api/kiln/pipelines/{Uri.EscapeDataString(name)}";

    private static string RunPath(string id) => $"api/kiln/pipeline-runs/{Uri.EscapeDataString(id)}";

    private static PipelineInfo ReadPipeline(JsonElement p) => new(p.GetProperty("name").GetString()!, p.GetProperty("description").GetString(), p.GetProperty("hash").GetString()!,
        p.GetProperty("updated_at").GetInt64(), p.GetProperty("updated_by").GetString()!, [.. p.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("name").GetString()!)],
        p.TryGetProperty("yaml", out var yaml) ? yaml.GetString() : null);

    private static PipelineRunSteps ReadDetail(JsonElement root)
    {
        var run = ReadRun(root.GetProperty("run"));
        return new PipelineRunSteps(run, [.. root.GetProperty("steps").EnumerateArray().Select(s => ReadStep(s) with { RunId = run.Id })]);
    }

    private static PipelineRun ReadRun(JsonElement r) => new(r.GetProperty("id").GetString()!, r.GetProperty("pipeline").GetString()!, r.GetProperty("status").GetString()!,
        r.GetProperty("trigger").GetString()!, r.GetProperty("cause").GetString(), Strings(r.GetProperty("params")), "", r.GetProperty("force").GetBoolean(),
        r.GetProperty("user").GetString()!, r.GetProperty("created_at").GetInt64(), NullableLong(r, "started_at"), NullableLong(r, "finished_at"), r.GetProperty("error").GetString(),
        r.GetProperty("tracking_run_id").GetString());

    private static StepRun ReadStep(JsonElement s) => new("", s.GetProperty("name").GetString()!, s.GetProperty("status").GetString()!, s.GetProperty("attempt").GetInt32(),
        s.GetProperty("failures").GetInt32(), s.GetProperty("labels").GetString()!, 0, s.GetProperty("worker").GetString(), null, NullableLong(s, "started_at"),
        NullableLong(s, "finished_at"), Strings(s.GetProperty("outputs")), s.GetProperty("cache_key").GetString(), s.GetProperty("cached_from").GetString(),
        s.GetProperty("error").GetString(), s.GetProperty("tracking_run_id").GetString());

    private static Dictionary<string, string> Strings(JsonElement o) => o.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "", StringComparer.Ordinal);

    private static long? NullableLong(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : null;
}
