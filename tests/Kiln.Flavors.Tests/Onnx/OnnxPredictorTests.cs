using Kiln.Engine.Flavors;
using Kiln.Flavors.Onnx;
using Kiln.Learn;
using Kiln.Tabular;
using Kiln.Tabular.Columns;
using Kiln.Testing;

namespace Kiln.Flavors.Tests.Onnx;

public sealed class OnnxPredictorTests
{
    private static readonly string[] Names = ["x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7"];

    [Fact]
    public void A_classifier_predicts_what_scikit_learn_predicts()
    {
        using var model = new OnnxPredictor(FlavorFixtures.PathOf("onnx_binary.onnx"), new ModelHints(Names, "approved", ["declined", "approved"]));

        Assert.Equal(TaskKind.BinaryClassification, model.Schema.Task);
        Assert.Equal(Names, model.Schema.Features.Select(f => f.Name));
        Assert.True(FlavorFixtures.MaxDifference(model.Predict(FlavorFixtures.Rows()), FlavorFixtures.Expected("expected_onnx_binary.csv")) <= 1e-5);
        Assert.True(model.GainsFromBatching);
    }

    [Fact]
    public void A_regressor_predicts_what_scikit_learn_predicts_to_float_precision()
    {
        using var model = new OnnxPredictor(FlavorFixtures.PathOf("onnx_reg.onnx"), new ModelHints(Names));

        Assert.Equal(TaskKind.Regression, model.Schema.Task);
        Assert.True(FlavorFixtures.MaxDifference(model.Predict(FlavorFixtures.Rows()), FlavorFixtures.Expected("expected_onnx_reg.csv"), relative: true) <= 1e-5);
    }

    [Fact]
    public void Without_names_features_are_numbered_and_a_missing_column_is_named()
    {
        using var model = new OnnxPredictor(FlavorFixtures.PathOf("onnx_binary.onnx"), ModelHints.None);

        Assert.Equal("f0", model.Schema.Features[0].Name);
        var error = Assert.Throws<LearnException>(() => model.Predict(new Table([new Float64Column("f0", [1.0])])));
        Assert.Contains("'f1'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_onnx_is_refused_clearly()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("model.onnx"), "not a model");

        var error = Assert.Throws<LearnException>(() => new OnnxPredictor(dir.File("model.onnx"), ModelHints.None));
        Assert.Contains("ONNX Runtime cannot load", error.Message, StringComparison.Ordinal);
    }
}
