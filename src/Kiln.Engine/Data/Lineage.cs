using Kiln.Core.Tracking;
using Kiln.Engine.Tracking;

namespace Kiln.Engine.Data;

/// <summary>Lineage from a dataset version to the runs that read it: runs record the version id as their input's digest.</summary>
public static class Lineage
{
    /// <summary>Every run (of every experiment, deleted ones included) with an input whose digest is <paramref name="versionId"/>, newest first.</summary>
    public static async Task<IReadOnlyList<(Run Run, string Context)>> RunsReadingAsync(ITracking tracking, string versionId, CancellationToken ct = default)
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
        var found = new List<(Run, string)>();
        var filter = $"datasets.digest = '{versionId.Replace("'", "", StringComparison.Ordinal)}'";
        foreach (var chunk in experiments.Chunk(100))
        {
            token = null;
            do
            {
                var page = await tracking.SearchRunsAsync(chunk, filter, ViewType.All, 1000, ["attributes.start_time DESC"], token, ct);
                foreach (var run in page.Items)
                {
                    var input = run.Inputs.First(i => i.Dataset.Digest == versionId);
                    found.Add((run, input.Tags.FirstOrDefault(t => t.Key == "mlflow.data.context")?.Value ?? ""));
                }
                token = page.NextPageToken;
            }
            while (token is not null);
        }
        return found;
    }
}
