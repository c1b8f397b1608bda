using Kiln.Core.Errors;
using Kiln.Engine.Training;
using Kiln.Learn;
using Kiln.Learn.Gbdt;

namespace Kiln.Engine.Tests.Training;

public sealed class OptionsBinderTests
{
    [Fact]
    public void Binds_snake_case_keys_enums_and_numbers()
    {
        var options = OptionsBinder.Bind(new GbdtOptions(), new Dictionary<string, string>
        {
            ["max_depth"] = "4", ["learning_rate"] = "0.05", ["task"] = "regression", ["loss"] = "huber", ["Rounds"] = "30",
        });
        Assert.Equal(4, options.MaxDepth);
        Assert.Equal(0.05, options.LearningRate);
        Assert.Equal(TaskKind.Regression, options.Task);
        Assert.Equal(RegressionLoss.Huber, options.Loss);
        Assert.Equal(30, options.Rounds);
        var described = OptionsBinder.Describe(options);
        Assert.Equal("4", described["max_depth"]);
        Assert.Equal("huber", described["loss"]);
    }

    [Fact]
    public void Unknown_keys_bad_values_and_out_of_range_values_are_clear_errors()
    {
        var unknown = Assert.Throws<KilnException>(() => OptionsBinder.Bind(new GbdtOptions(), new Dictionary<string, string> { ["depth"] = "4" }));
        Assert.Contains("max_depth", unknown.Message);
        var bad = Assert.Throws<KilnException>(() => OptionsBinder.Bind(new GbdtOptions(), new Dictionary<string, string> { ["max_depth"] = "deep" }));
        Assert.Contains("'deep'", bad.Message);
        var range = Assert.Throws<KilnException>(() => OptionsBinder.Bind(new GbdtOptions(), new Dictionary<string, string> { ["learning_rate"] = "-1" }));
        Assert.Contains("learning_rate", range.Message);
        Assert.DoesNotContain("LearningRate", range.Message);
        var both = Assert.Throws<KilnException>(() => OptionsBinder.Bind(new GbdtOptions(), new Dictionary<string, string> { ["max_depth"] = "0", ["max_leaves"] = "0" }));
        Assert.Contains("max_depth and max_leaves", both.Message);
        Assert.DoesNotContain("(Parameter", both.Message);
        Assert.Contains("learner 'gbdt'", unknown.Message);
    }
}
