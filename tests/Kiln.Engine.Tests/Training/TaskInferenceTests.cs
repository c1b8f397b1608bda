using Kiln.Engine.Training;
using Kiln.Learn;
using Kiln.Tabular.Csv;

namespace Kiln.Engine.Tests.Training;

public sealed class TaskInferenceTests
{
    [Theory]
    [InlineData("y\n0\n1\n1\n", TaskKind.BinaryClassification)]
    [InlineData("y\n0.5\n1.25\n3\n", TaskKind.Regression)]
    [InlineData("y\n1\n2\n3\n", TaskKind.Regression)]
    [InlineData("y\nyes\nno\nyes\n", TaskKind.BinaryClassification)]
    [InlineData("y\nred\ngreen\nblue\n", TaskKind.MulticlassClassification)]
    public void Infers_the_task_from_the_target(string csv, TaskKind expected) =>
        Assert.Equal(expected, TaskInference.Infer(CsvReader.ParseString(csv), "y", null, null));

    [Fact]
    public void An_explicit_task_wins() =>
        Assert.Equal(TaskKind.MulticlassClassification, TaskInference.Infer(CsvReader.ParseString("y\n1\n2\n3\n"), "y", TaskInference.Parse("multiclass"), null));
}
