using Kiln.Engine.Flavors;
using Kiln.Engine.Flavors.LightGbm;
using Kiln.Learn;
using Kiln.Testing;

namespace Kiln.Engine.Tests.Flavors;

public sealed class LightGbmFlavorTests
{
    [Theory]
    [InlineData("lgb_binary.txt", "expected_lgb_binary.csv", TaskKind.BinaryClassification, false)]
    [InlineData("lgb_multi.txt", "expected_lgb_multi.csv", TaskKind.MulticlassClassification, false)]
    [InlineData("lgb_reg.txt", "expected_lgb_reg.csv", TaskKind.Regression, true)]
    public void Compiled_models_predict_what_lightgbm_predicts(string file, string expected, TaskKind task, bool relative)
    {
        using var reader = new StreamReader(FlavorFixtures.PathOf(file));
        var model = LightGbmText.Compile(reader, ModelHints.None);

        Assert.Equal(task, model.Schema.Task);
        Assert.Equal("x0", model.Schema.Features[0].Name);
        Assert.True(FlavorFixtures.MaxDifference(model.Predict(FlavorFixtures.Rows()), FlavorFixtures.Expected(expected), relative) <= 1e-6);
    }

    [Fact]
    public void Text_that_is_not_a_lightgbm_model_is_refused_clearly()
    {
        var error = Assert.Throws<LearnException>(() => LightGbmText.Compile(new StringReader("hello\nworld"), ModelHints.None));
        Assert.Contains("does not start with 'tree'", error.Message, StringComparison.Ordinal);

        var truncated = File.ReadAllText(FlavorFixtures.PathOf("lgb_binary.txt"));
        truncated = truncated[..truncated.IndexOf("left_child=", StringComparison.Ordinal)];
        var cut = Assert.Throws<LearnException>(() => LightGbmText.Compile(new StringReader(truncated), ModelHints.None));
        Assert.Contains("truncated", cut.Message, StringComparison.Ordinal);
    }
}
