using Kiln.Core.Errors;
using Kiln.Engine.Training;
using Kiln.Learn;
using Kiln.Tabular.Csv;

namespace Kiln.Engine.Tests.Training;

/// <summary>The documented rule that picks the task, and the targets no learner can learn.</summary>
public sealed class TaskInferenceTests
{
    private static TaskChoice Choose(string csv, string learner = "gbdt", TaskKind? learnerTask = null, TaskKind? requested = null) =>
        TaskInference.Choose(CsvReader.ParseString(csv), "y", requested, learner, learnerTask);

    private static string Repeat(params int[] values) => "y\n" + string.Join("\n", Enumerable.Range(0, 6).SelectMany(_ => values)) + "\n";

    [Theory]
    [InlineData("y\n0\n1\n1\n", TaskKind.BinaryClassification)]
    [InlineData("y\n0.5\n1.25\n3\n", TaskKind.Regression)]
    [InlineData("y\n1\n2\n3\n", TaskKind.Regression)]
    [InlineData("y\nyes\nno\nyes\n", TaskKind.BinaryClassification)]
    [InlineData("y\nred\ngreen\nblue\n", TaskKind.MulticlassClassification)]
    public void Infers_the_task_from_the_target(string csv, TaskKind expected) => Assert.Equal(expected, Choose(csv).Task);

    [Fact]
    public void Integer_labels_seen_often_enough_are_classes_and_the_reason_says_so()
    {
        var digits = Choose(Repeat(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
        Assert.Equal(TaskKind.MulticlassClassification, digits.Task);
        Assert.Contains("10 integer values", digits.Reason);
        Assert.Equal(TaskKind.Regression, Choose(Repeat(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)).Task);
    }

    [Theory]
    [InlineData("y\n1\n1\n1\n")]
    [InlineData("y\nyes\nyes\n")]
    [InlineData("y\n\n\n")]
    public void A_target_with_fewer_than_two_values_is_an_error_for_every_learner(string csv)
    {
        foreach (var (learner, task) in new (string, TaskKind?)[] { ("gbdt", null), ("forest", null), ("linear", TaskKind.Regression), ("logistic", TaskKind.BinaryClassification) })
        {
            var e = Assert.Throws<KilnException>(() => Choose(csv, learner, task));
            Assert.Contains("nothing to learn", e.Message);
        }
    }

    [Fact]
    public void The_regression_learner_points_to_logistic_for_classes()
    {
        var e = Assert.Throws<KilnException>(() => Choose("y\n0\n1\n1\n0\n", "linear", TaskKind.Regression));
        Assert.Contains("--learner logistic", e.Message);
        Assert.Equal(TaskKind.Regression, Choose("y\n0\n1\n1\n0\n", "linear", TaskKind.Regression, TaskKind.Regression).Task);
    }

    [Fact]
    public void An_explicit_task_wins() =>
        Assert.Equal(TaskKind.MulticlassClassification, Choose("y\n1\n2\n3\n", requested: TaskInference.Parse("multiclass")).Task);
}
