using Kiln.Engine.Flavors;
using Kiln.Engine.Flavors.LightGbm;
using Kiln.Engine.Flavors.Xgboost;
using Kiln.Learn;
using Kiln.Learn.Explanations;
using Kiln.Testing;

namespace Kiln.Engine.Tests.Flavors;

/// <summary>TreeSHAP on imported models against the libraries' own contributions (XGBoost's <c>pred_contribs</c>, LightGBM's
/// <c>pred_contrib</c>) on the fixture rows, missing values included.</summary>
public sealed class ImportedShapTests
{
    [Theory]
    [InlineData("xgb_binary.json", "expected_xgb_binary_contribs.csv")]
    [InlineData("xgb_binary.ubj", "expected_xgb_binary_contribs.csv")]
    [InlineData("xgb_multi.ubj", "expected_xgb_multi_contribs.csv")]
    [InlineData("xgb_reg.json", "expected_xgb_reg_contribs.csv")]
    [InlineData("lgb_binary.txt", "expected_lgb_binary_contribs.csv")]
    [InlineData("lgb_multi.txt", "expected_lgb_multi_contribs.csv")]
    [InlineData("lgb_reg.txt", "expected_lgb_reg_contribs.csv")]
    public void Contributions_equal_the_librarys_own(string file, string expected)
    {
        var model = file.StartsWith("xgb", StringComparison.Ordinal)
            ? XgboostFlavor.Compile(FlavorFixtures.PathOf(file), ModelHints.None)
            : LightGbmText.Compile(new StringReader(File.ReadAllText(FlavorFixtures.PathOf(file))), ModelHints.None);
        Assert.Null(model.ExplainUnavailable);
        var rows = FlavorFixtures.Rows();
        var contributions = model.Explain(rows);
        var reference = FlavorFixtures.Expected(expected);
        var width = ModelExplanation.Width(model);
        Assert.Equal(rows.RowCount, reference.Length);
        Assert.Equal(width, reference[0].Length);
        // the regression model's scores are in the hundreds, where XGBoost's float32 arithmetic leaves ~1e-5 relative
        var worst = 0.0;
        for (var r = 0; r < reference.Length; r++)
        {
            for (var j = 0; j < width; j++)
            {
                var scale = Math.Max(1, Math.Abs(reference[r][j]));
                worst = Math.Max(worst, Math.Abs(contributions[(r * width) + j] - reference[r][j]) / scale);
            }
        }
        Assert.True(worst <= 1e-5, $"{file}: worst difference {worst}");
    }
}
