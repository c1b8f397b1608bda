using Kiln.Core.Errors;
using Kiln.Core.Tracking;
using Kiln.Testing;

namespace Kiln.Engine.Tests.Tracking;

public sealed class TrackingServiceTests : KilnHostTest
{
    [Fact]
    public async Task An_invalid_batch_is_rejected_before_anything_is_written()
    {
        var run = await Tracking.CreateRunAsync("0", "u", "r", null, []);
        await Assert.ThrowsAsync<KilnException>(() => Tracking.LogBatchAsync(run.Info.RunId,
            [new Metric("ok", 1, 1, 0)], [new Param("p", "1")], [new Tag("bad key!", "v")]));
        var stored = await Tracking.GetRunAsync(run.Info.RunId);
        Assert.Empty(stored.Data.Metrics);
        Assert.Empty(stored.Data.Params);
    }

    [Fact]
    public async Task Names_and_tags_are_validated()
    {
        await Assert.ThrowsAsync<KilnException>(() => Tracking.CreateExperimentAsync(" ", null, []));
        await Assert.ThrowsAsync<KilnException>(() => Tracking.CreateExperimentAsync("x", null, [new Tag("k", new string('v', 8001))]));
        await Assert.ThrowsAsync<KilnException>(() => Tracking.UpdateRunAsync("whatever", "DONE", null, null));
        var e = await Assert.ThrowsAsync<KilnException>(() => Tracking.GetExperimentByNameAsync("nope"));
        Assert.Equal(ErrorCode.ResourceDoesNotExist, e.Code);
    }

    [Fact]
    public async Task Run_artifacts_map_to_the_artifact_store()
    {
        var run = await Tracking.CreateRunAsync(null, "u", null, null, []);
        await Artifacts.WriteAsync($"0/{run.Info.RunId}/artifacts/model/MLmodel", new MemoryStream([1, 2, 3]));
        var (root, files) = await Tracking.ListRunArtifactsAsync(run.Info.RunId, null);
        Assert.Equal(run.Info.ArtifactUri, root);
        Assert.Equal([new Kiln.Core.Artifacts.ArtifactEntry("model", true, null)], files);
        var (_, nested) = await Tracking.ListRunArtifactsAsync(run.Info.RunId, "model");
        Assert.Equal([new Kiln.Core.Artifacts.ArtifactEntry("model/MLmodel", false, 3)], nested.Select(e => e with { Modified = null }));
        Assert.NotNull(nested[0].Modified); // the local store knows when a file was written
    }
}
