using Kiln.Engine.Packaging;
using Kiln.Learn;
using Kiln.Learn.Data;

namespace Kiln.Engine.Tests.Packaging;

public sealed class MLmodelFileTests
{
    [Fact]
    public void Writes_mlflow_layout_with_the_kiln_flavor_and_reads_it_back()
    {
        var schema = new ModelSchema(TaskKind.MulticlassClassification, "grade",
            [new FeatureInfo("income", FeatureKind.Numeric, []), new FeatureInfo("region", FeatureKind.Categorical, ["east", "north"])], ["A", "B", "C"]);
        var file = new MLmodelFile("gbdt", 2, "model.kiln", schema, "abc123", "uuid", DateTimeOffset.UnixEpoch);
        var yaml = file.ToYaml();
        Assert.Contains("flavors:", yaml);
        Assert.Contains("kiln:", yaml);
        Assert.Contains("signature:", yaml);
        Assert.Contains("income", yaml);
        Assert.Contains("- north", yaml);
        Assert.DoesNotContain("categories: \n", yaml, StringComparison.Ordinal);
        Assert.Equal(["probability_A", "probability_B", "probability_C"], file.OutputNames);
        var (learner, version, modelFile, runId) = MLmodelFile.Parse(yaml, "MLmodel");
        Assert.Equal(("gbdt", 2, "model.kiln", "abc123"), (learner, version, modelFile, runId));
        Assert.Throws<LearnException>(() => MLmodelFile.Parse("artifact_path: model\nflavors:\n  python_function: {}\n", "MLmodel"));
    }
}
