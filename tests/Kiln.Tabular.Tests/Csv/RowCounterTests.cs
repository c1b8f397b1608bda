using System.Text;
using Kiln.Tabular.Csv;

namespace Kiln.Tabular.Tests.Csv;

public class RowCounterTests
{
    private static int Count(string text) => RowCounter.Count(Encoding.UTF8.GetBytes(text));

    [Theory]
    [InlineData("", 0)]
    [InlineData("a\n", 1)]
    [InlineData("a", 1)]
    [InlineData("a\nb", 2)]
    [InlineData("a\r\nb\r\n", 2)]
    [InlineData("\n\na\n\nb\n\n", 2)]
    [InlineData("a\r\n\r\nb\r\n", 2)]
    [InlineData("a\n\r", 1)]
    [InlineData("\"x\ny\",1\n2\n", 2)]
    [InlineData("\"x\"\"\ny\"\n", 1)]
    public void Counts_rows_not_lines(string text, int rows)
    {
        Assert.Equal(rows, Count(text));
    }

    [Fact]
    public void Vectorized_counting_handles_blank_lines_at_block_edges()
    {
        for (var offset = 0; offset < 70; offset++)
        {
            var text = new string('x', offset) + "\n\n" + new string('y', 80) + "\n";

            Assert.Equal(offset == 0 ? 1 : 2, Count(text));
            Assert.Equal(offset == 0 ? 1 : 2, Count(new string('x', offset) + "\n" + new string('y', 80)));
        }
    }

    [Fact]
    public void Long_quote_free_chunks_are_counted_exactly()
    {
        var text = string.Concat(Enumerable.Range(0, 1000).Select(i => $"{i},{i * 2}\r\n"));

        Assert.Equal(1000, Count(text));
        Assert.Equal(1001, Count(text + "tail"));
    }
}
