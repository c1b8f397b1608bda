using Kiln.Engine.Flavors;
using Kiln.Flavors.MlNet;
using Kiln.Learn;
using Kiln.Testing;

namespace Kiln.Flavors.Tests.MlNet;

public sealed class MlNetPredictorTests
{
    [Fact]
    public void A_binary_model_zip_predicts_what_mlnet_predicts()
    {
        using var model = new MlNetPredictor(FlavorFixtures.PathOf("mlnet_binary.zip"), ModelHints.None);

        Assert.Equal(TaskKind.BinaryClassification, model.Schema.Task);
        Assert.Equal("Label", model.Schema.Target);
        Assert.Equal(["x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7"], model.Schema.Features.Select(f => f.Name));
        Assert.True(FlavorFixtures.MaxDifference(model.Predict(FlavorFixtures.Rows()), FlavorFixtures.Expected("expected_mlnet_binary.csv")) <= 1e-6);
    }

    [Fact]
    public void A_regression_model_zip_predicts_what_mlnet_predicts()
    {
        using var model = new MlNetPredictor(FlavorFixtures.PathOf("mlnet_reg.zip"), ModelHints.None);

        Assert.Equal(TaskKind.Regression, model.Schema.Task);
        Assert.True(FlavorFixtures.MaxDifference(model.Predict(FlavorFixtures.Rows()), FlavorFixtures.Expected("expected_mlnet_reg.csv"), relative: true) <= 1e-6);
    }

    [Fact]
    public void The_catalog_recognises_and_packages_every_flavor()
    {
        using var dir = new TempDirectory();
        foreach (var (file, flavor) in new[] { ("mlnet_binary.zip", "mlnet"), ("onnx_binary.onnx", "onnx"), ("xgb_multi.ubj", "xgboost"), ("lgb_reg.txt", "lightgbm") })
        {
            var package = dir.File(flavor);
            using (ModelImport.Package(KilnFlavors.All, FlavorFixtures.PathOf(file), null, ModelHints.None, package, DateTimeOffset.UnixEpoch))
            {
            }
            using var loaded = KilnFlavors.All.Load(package);
            Assert.Equal(flavor, loaded.Flavor);
        }
        var notMlNet = dir.File("other.zip");
        System.IO.Compression.ZipFile.CreateFromDirectory(dir.File("onnx"), notMlNet);
        Assert.Throws<LearnException>(() => KilnFlavors.All.Detect(notMlNet));
    }
}
