using Kiln.Tabular.Columns;

namespace Kiln.Tabular.Tests.Columns;

public class TextColumnTests
{
    [Fact]
    public void Null_is_missing()
    {
        var column = new TextColumn("t", ["a", null, ""]);

        Assert.Equal(1, column.CountMissing());
        Assert.True(column.IsMissing(1));
        Assert.False(column.IsMissing(2));
        Assert.Equal(["", "a"], column.Take([2, 0]).Values.ToArray().ToList());
        Assert.Equal(ColumnKind.Text, column.Kind);
    }
}
