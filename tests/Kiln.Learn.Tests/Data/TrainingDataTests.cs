using Kiln.Learn.Gbdt;
using Kiln.Tabular;
using Kiln.Tabular.Columns;
using Kiln.Testing;

namespace Kiln.Learn.Tests.Data;

public sealed class TrainingDataTests
{
    private static readonly GbdtLearner Learner = new();
    private static readonly GbdtOptions Options = new() { Rounds = 2 };

    private static LearnException Fails(Table table, string target, GbdtOptions? options = null) =>
        Assert.Throws<LearnException>(() => Learner.Fit(table, target, options ?? Options));

    [Fact]
    public void Missing_target_column_is_named()
    {
        Assert.Contains("'nope'", Fails(Synthetic.Step(50), "nope").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Target_with_one_class_is_rejected()
    {
        var table = new Table([new Float64Column("x", [1, 2, 3]), new Float64Column("y", [1, 1, 1])]);
        var message = Fails(table, "y").Message;
        Assert.Contains("'y'", message, StringComparison.Ordinal);
        Assert.Contains("one class", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Regression_needs_a_numeric_target()
    {
        var message = Fails(Synthetic.ThreeClasses(50), "y", Options with { Task = TaskKind.Regression }).Message;
        Assert.Contains("'y'", message, StringComparison.Ordinal);
        Assert.Contains("numeric", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_and_all_missing_features_are_rejected_by_name()
    {
        var text = new Table([new TextColumn("notes", ["a", "b", "c"]), new Float64Column("y", [0, 1, 0])]);
        Assert.Contains("'notes'", Fails(text, "y").Message, StringComparison.Ordinal);
        var empty = new Table([new Float64Column("x", [double.NaN, double.NaN, double.NaN]), new Float64Column("y", [0, 1, 0])]);
        Assert.Contains("'x'", Fails(empty, "y").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Binary_task_with_three_classes_is_rejected()
    {
        Assert.Contains("three", "three " + Fails(Synthetic.ThreeClasses(100), "y").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Feature_missing_at_prediction_is_named()
    {
        var model = Learner.Fit(Synthetic.Step(100), "y", Options);
        var e = Assert.Throws<LearnException>(() => model.Predict(Synthetic.Step(10).Drop("noise")));
        Assert.Contains("'noise'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_categories_at_prediction_are_missing()
    {
        var model = Learner.Fit(Synthetic.Categories(500), "y", new GbdtOptions { Rounds = 5 });
        var unseen = new Table([CategoricalColumn.FromValues("cat", ["Z"])]);
        var missing = new Table([CategoricalColumn.FromValues("cat", [null])]);
        Assert.Equal(model.Predict(missing), model.Predict(unseen));
    }
}
