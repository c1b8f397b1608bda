using Kiln.Engine.Flavors;
using Kiln.Engine.Flavors.Xgboost;
using Kiln.Learn;
using Kiln.Testing;

namespace Kiln.Engine.Tests.Flavors;

public sealed class XgboostFlavorTests
{
    [Theory]
    [InlineData("xgb_binary.json", "expected_xgb_binary.csv", TaskKind.BinaryClassification)]
    [InlineData("xgb_binary.ubj", "expected_xgb_binary.csv", TaskKind.BinaryClassification)]
    [InlineData("xgb_multi.ubj", "expected_xgb_multi.csv", TaskKind.MulticlassClassification)]
    public void Compiled_classifiers_predict_what_xgboost_predicts(string file, string expected, TaskKind task)
    {
        var model = XgboostFlavor.Compile(FlavorFixtures.PathOf(file), ModelHints.None);

        Assert.Equal(task, model.Schema.Task);
        Assert.Equal(["x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7"], model.Schema.Features.Select(f => f.Name));
        var predictions = model.Predict(FlavorFixtures.Rows());
        Assert.True(FlavorFixtures.MaxDifference(predictions, FlavorFixtures.Expected(expected)) <= 1e-6);
    }

    [Fact]
    public void A_compiled_regressor_predicts_what_xgboost_predicts_to_float_precision()
    {
        var model = XgboostFlavor.Compile(FlavorFixtures.PathOf("xgb_reg.json"), ModelHints.None);

        Assert.Equal(TaskKind.Regression, model.Schema.Task);
        // XGBoost adds its 100 leaves in single precision and Kiln in double: values in the hundreds differ by XGBoost's
        // own rounding (a few float ulps per tree, 4e-6 relative on this fixture), not by a different tree walk
        var worst = FlavorFixtures.MaxDifference(model.Predict(FlavorFixtures.Rows()), FlavorFixtures.Expected("expected_xgb_reg.csv"), relative: true);
        Assert.True(worst <= 1e-5, $"max relative difference {worst}");
    }

    [Fact]
    public void One_row_prediction_agrees_with_batch_prediction()
    {
        var model = XgboostFlavor.Compile(FlavorFixtures.PathOf("xgb_binary.ubj"), ModelHints.None);
        var rows = FlavorFixtures.Rows();
        var batch = model.Predict(rows);
        var one = new double[1];
        for (var r = 0; r < 50; r++)
        {
            var row = rows.Columns.Select(c => c.IsMissing(r) ? double.NaN : ((Kiln.Tabular.Columns.NumericColumn)c).GetValue(r)).ToArray();
            model.Predict(row, one);
            Assert.Equal(batch[r], one[0], 12);
        }
    }

    [Fact]
    public void Hints_rename_features_and_classes()
    {
        var model = XgboostFlavor.Compile(FlavorFixtures.PathOf("xgb_binary.json"),
            new ModelHints(["a", "b", "c", "d", "e", "f", "g", "h"], "approved", ["no", "yes"]));

        Assert.Equal("a", model.Schema.Features[0].Name);
        Assert.Equal("approved", model.Schema.Target);
        Assert.Equal(["no", "yes"], model.Schema.Classes);
        var wrong = Assert.Throws<LearnException>(() => XgboostFlavor.Compile(FlavorFixtures.PathOf("xgb_binary.json"), new ModelHints(["a"])));
        Assert.Contains("reads 8 features", wrong.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_a_booster_is_refused_clearly()
    {
        using var dir = new TempDirectory();
        var path = dir.File("model.json");
        File.WriteAllText(path, "{\"hello\": 1}");

        var error = Assert.Throws<LearnException>(() => XgboostFlavor.Compile(path, ModelHints.None));
        Assert.Contains("not an XGBoost model", error.Message, StringComparison.OrdinalIgnoreCase);

        File.WriteAllBytes(path, [(byte)'{', (byte)'L', 0, 0]);
        Assert.Throws<LearnException>(() => XgboostFlavor.Compile(path, ModelHints.None));
    }

    [Theory]
    [InlineData(0.18225947f)]
    [InlineData(-2.0f)]
    [InlineData(1.0f)]
    [InlineData(1e-30f)]
    [InlineData(-0.46316987f)]
    public void A_split_threshold_sends_exactly_the_values_xgboost_sends_left(float split)
    {
        var below = XgboostBooster.BelowFloat(split);

        Assert.True((float)below < split);
        Assert.False((float)Math.BitIncrement(below) < split);
    }
}
