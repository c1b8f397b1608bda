using Kiln.Core.Errors;
using Kiln.Core.Tracking;

namespace Kiln.Core.Tests.Tracking;

public sealed class TrackingValidationTests
{
    [Theory]
    [InlineData("loss")]
    [InlineData("val/loss")]
    [InlineData("a b.c-d_e")]
    public void Good_keys_pass(string key) => TrackingValidation.Key(key, "metric");

    [Theory]
    [InlineData("")]
    [InlineData("/abs")]
    [InlineData("a/../b")]
    [InlineData("a//b")]
    [InlineData("trailing/")]
    [InlineData("semi;colon")]
    public void Bad_keys_fail(string key) =>
        Assert.Equal(ErrorCode.InvalidParameterValue, Assert.Throws<KilnException>(() => TrackingValidation.Key(key, "metric")).Code);

    [Fact]
    public void Batch_limits_are_mlflows()
    {
        var metrics = Enumerable.Range(0, 1000).Select(i => new Metric("m", i, 0, i)).ToList();
        TrackingValidation.Batch(metrics, [], []);
        Assert.Throws<KilnException>(() => TrackingValidation.Batch([.. metrics, new Metric("m", 0, 0, 0)], [], []));
        Assert.Throws<KilnException>(() => TrackingValidation.Batch(metrics.Take(950).ToList(), [.. Enumerable.Range(0, 51).Select(i => new Param("p" + i, "v"))], []));
        Assert.Throws<KilnException>(() => TrackingValidation.Batch([], [], [.. Enumerable.Range(0, 101).Select(i => new Tag("t" + i, "v"))]));
        TrackingValidation.Batch([], [new Param("p", new string('x', 6000))], [new Tag("t", new string('x', 8000))]);
        Assert.Throws<KilnException>(() => TrackingValidation.Batch([], [new Param("p", new string('x', 6001))], []));
        Assert.Throws<KilnException>(() => TrackingValidation.Batch([], [], [new Tag("t", new string('x', 8001))]));
        Assert.Throws<KilnException>(() => TrackingValidation.Batch([], [], [new Tag(new string('k', 251), "v")]));
    }

    [Fact]
    public void A_param_twice_in_one_batch_must_agree()
    {
        TrackingValidation.Batch([], [new Param("a", "1"), new Param("a", "1")], []);
        Assert.Contains("'a'", Assert.Throws<KilnException>(() => TrackingValidation.Batch([], [new Param("a", "1"), new Param("a", "2")], [])).Message);
    }

    [Fact]
    public void Max_results_is_bounded()
    {
        Assert.Equal(1000, TrackingValidation.MaxResults(null, 50_000));
        Assert.Throws<KilnException>(() => TrackingValidation.MaxResults(0, 50_000));
        Assert.Throws<KilnException>(() => TrackingValidation.MaxResults(50_001, 50_000));
    }

    [Fact]
    public void Status_and_view_names_parse()
    {
        Assert.Equal(RunStatus.Killed, RunStatusNames.Parse("killed"));
        Assert.Equal(RunStatus.Finished, RunStatusNames.Parse("3"));
        Assert.Throws<KilnException>(() => RunStatusNames.Parse("DONE"));
        Assert.Equal(ViewType.All, LifecycleNames.ParseViewType("ALL"));
        Assert.Throws<KilnException>(() => LifecycleNames.ParseViewType("SOME"));
    }

    [Theory]
    [InlineData("exp\u0000")]
    [InlineData("line\nbreak")]
    [InlineData("tab\there")]
    public void Names_with_control_characters_are_refused(string name) =>
        Assert.Contains("control character", Assert.Throws<KilnException>(() => TrackingValidation.Name(name, "experiment")).Message);

    [Fact]
    public void Nul_in_any_value_is_refused_for_every_store()
    {
        Assert.Throws<KilnException>(() => TrackingValidation.TagValue("k", "a\u0000b"));
        Assert.Throws<KilnException>(() => TrackingValidation.ParamValue("k", "a\u0000b"));
        TrackingValidation.TagValue("k", "multi\nline\tvalue");
    }

    [Theory]
    [InlineData("s3://bucket/path", true)]
    [InlineData("mlflow-artifacts:/5", true)]
    [InlineData("file:///srv/artifacts", true)]
    [InlineData("/srv/artifacts", true)]
    [InlineData("file:relative/path", false)]
    [InlineData("relative/path", false)]
    [InlineData("s3://bucket/\u0000x", false)]
    public void Artifact_locations_are_uris_or_absolute_paths(string location, bool valid)
    {
        if (valid)
        {
            TrackingValidation.ArtifactLocation(location);
        }
        else
        {
            Assert.Throws<KilnException>(() => TrackingValidation.ArtifactLocation(location));
        }
    }
}
