using Kiln.Core.Tracking;
using Kiln.Engine.Tracking;

namespace Kiln.Engine.Data;

/// <summary>Lineage from a dataset version to the runs that read it: runs record the version id as their input's digest.</summary>
public static class Lineage
{
    /// <summary>Every run (of every experiment, deleted ones included) with an input whose digest is <paramref name="versionId"/>, newest first.</summary>
    public static async Task<IReadOnlyList<(Run Run, string Context)>> RunsReadingAsync(ITracking tracking, string versionId, CancellationToken ct = default) =>
        [.. (await RunsMatchingAsync(tracking, $"datasets.digest = '{versionId.Replace("'", "", StringComparison.Ordinal)}'", ct))
            .Select(run => (run, run.Inputs.First(i => i.Dataset.Digest == versionId).Tags.FirstOrDefault(t => t.Key == "mlflow.data.context")?.Value ?? ""))];

    /// <summary>Every run of every experiment (deleted ones included) matching an MLflow filter, newest first.</summary>
    public static async Task<IReadOnlyList<Run>> RunsMatchingAsync(ITracking tracking, string filter, CancellationToken ct = default)
    {
        var experiments = new List<string>();
        string? token = null;
        do
        {
            var page = await tracking.SearchExperimentsAsync(null, null, ViewType.All, 1000, token, ct);
            experiments.AddRange(page.Items.Select(e => e.ExperimentId));
            token = page.NextPageToken;
        }
        while (token is not null);
        var found = new List<Run>();
        foreach (var chunk in experiments.Chunk(100))
        {
            token = null;
            do
            {
                var page = await tracking.SearchRunsAsync(chunk, filter, ViewType.All, 1000, ["attributes.start_time DESC"], token, ct);
                found.AddRange(page.Items);
                token = page.NextPageToken;
            }
            while (token is not null);
        }
        return found;
    }
}
