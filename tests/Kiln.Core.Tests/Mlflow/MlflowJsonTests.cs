using System.Text.Json;
using Kiln.Core.Artifacts;
using Kiln.Core.Errors;
using Kiln.Core.Mlflow;
using Kiln.Core.Tracking;

namespace Kiln.Core.Tests.Mlflow;

/// <summary>The one MLflow codec: what the server writes, the client reads back unchanged, in MLflow's field names.</summary>
public sealed class MlflowJsonTests
{
    private static JsonElement Write(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, MlflowJson.WriterOptions))
        {
            write(w);
        }
        return JsonDocument.Parse(buffer.ToArray()).RootElement.Clone();
    }

    [Fact]
    public void A_run_round_trips_with_non_finite_metrics_params_tags_and_inputs()
    {
        var run = new Run(
            new RunInfo("abc", "gbdt-1", "7", "ana", RunStatus.Finished, 1000, 2000, "mlflow-artifacts:/7/abc/artifacts", LifecycleStage.Active),
            new RunData(
                [new Metric("loss", double.NaN, 5, 1), new Metric("auc", double.PositiveInfinity, 6, 2), new Metric("m", -0.25, 7, 3)],
                [new Param("max_depth", "6")],
                [new Tag("mlflow.user", "ana")]),
            [new DatasetInput(new Dataset("train.csv", "d1", "local", "{\"uri\":\"/x\"}", "{}", null), [new Tag("mlflow.data.context", "training")])]);
        var json = Write(w => MlflowJson.WriteRun(w, run));
        Assert.Equal("NaN", json.GetProperty("data").GetProperty("metrics")[0].GetProperty("value").GetString());
        Assert.Equal("abc", json.GetProperty("info").GetProperty("run_uuid").GetString());
        var back = MlflowJson.ReadRun(json);
        Assert.Equal(run.Info, back.Info);
        Assert.Equal(run.Data.Params, back.Data.Params);
        Assert.Equal(run.Data.Tags, back.Data.Tags);
        Assert.True(double.IsNaN(back.Data.Metrics[0].Value));
        Assert.Equal(run.Data.Metrics.Skip(1), back.Data.Metrics.Skip(1));
        Assert.Equal(run.Inputs[0].Dataset, back.Inputs[0].Dataset);
        Assert.Equal(run.Inputs[0].Tags, back.Inputs[0].Tags);
    }

    [Fact]
    public void Empty_lists_and_absent_end_times_are_omitted_as_protobuf_does()
    {
        var run = new Run(new RunInfo("r", "", "0", "", RunStatus.Running, 1, null, "a", LifecycleStage.Active), RunData.Empty, []);
        var json = Write(w => MlflowJson.WriteRun(w, run));
        Assert.False(json.GetProperty("info").TryGetProperty("end_time", out _));
        Assert.False(json.GetProperty("data").TryGetProperty("metrics", out _));
        Assert.False(json.GetProperty("inputs").TryGetProperty("dataset_inputs", out _));
        Assert.Equal(run.Info, MlflowJson.ReadRun(json).Info);
    }

    [Fact]
    public void Experiments_pages_and_files_round_trip()
    {
        var experiment = new Experiment("3", "loans", "mlflow-artifacts:/3", LifecycleStage.Deleted, 10, 20, [new Tag("team", "risk")]);
        var page = new Page<Experiment>([experiment], "token");
        var json = Write(w =>
        {
            w.WriteStartObject();
            MlflowJson.WritePage(w, "experiments", page, MlflowJson.WriteExperiment);
            MlflowJson.WriteFiles(w, [new ArtifactEntry("model", true, null), new ArtifactEntry("model/MLmodel", false, 42)]);
            w.WriteEndObject();
        });
        var back = MlflowJson.ReadPage(json, "experiments", MlflowJson.ReadExperiment);
        Assert.Equal("token", back.NextPageToken);
        Assert.Equal(experiment with { Tags = [] }, back.Items[0] with { Tags = [] });
        Assert.Equal(experiment.Tags, back.Items[0].Tags);
        Assert.Equal([new ArtifactEntry("model", true, null), new ArtifactEntry("model/MLmodel", false, 42)], MlflowJson.Objects(json, "files").Select(MlflowJson.ReadFile));
    }

    [Fact]
    public void Readers_take_int64_as_strings_and_name_what_is_missing_or_wrong()
    {
        var metric = MlflowJson.ReadMetric(JsonDocument.Parse("""{"key":"k","value":"Infinity","timestamp":"12","step":"3"}""").RootElement, 99);
        Assert.Equal(new Metric("k", double.PositiveInfinity, 12, 3), metric);
        Assert.Equal(99, MlflowJson.ReadMetric(JsonDocument.Parse("""{"key":"k","value":1}""").RootElement, 99).Timestamp);
        var missing = Assert.Throws<KilnException>(() => MlflowJson.ReadMetric(JsonDocument.Parse("""{"value":1}""").RootElement));
        Assert.Equal(ErrorCode.InvalidParameterValue, missing.Code);
        Assert.Contains("'key'", missing.Message);
        var wrong = Assert.Throws<KilnException>(() => MlflowJson.ReadMetric(JsonDocument.Parse("""{"key":"k","value":"high"}""").RootElement));
        Assert.Contains("'value'", wrong.Message);
        Assert.Throws<KilnException>(() => MlflowJson.ReadTags(JsonDocument.Parse("""{"tags":{"k":"v"}}""").RootElement, "tags"));
    }
}
