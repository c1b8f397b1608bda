using System.Globalization;
using System.Text;
using Kiln.Tabular.Csv;

namespace Kiln.Tabular.Tests.Csv;

public class Utf8NumberTests
{
    private static double Parse(string text)
    {
        Assert.True(Utf8Number.TryParse(Encoding.UTF8.GetBytes(text), out var value), $"'{text}' did not parse");
        return value;
    }

    [Theory]
    [InlineData("0")]
    [InlineData("00012")]
    [InlineData("9007199254740992")]
    [InlineData("9007199254740993")]
    [InlineData("18446744073709551615")]
    [InlineData("123456789012345678901234567890")]
    [InlineData("0.30000000000000004")]
    [InlineData("2.2250738585072014e-308")]
    [InlineData("4.9e-324")]
    [InlineData("1e-400")]
    [InlineData("1e400")]
    [InlineData("1.7976931348623157e308")]
    [InlineData("-12345678.87654321")]
    [InlineData("1234567890123456789")]
    [InlineData("0.000000000000000000000000001")]
    [InlineData("1e22")]
    [InlineData("1e23")]
    [InlineData("123.456e-10")]
    public void Agrees_with_the_runtime_parser(string text)
    {
        Assert.Equal(double.Parse(text, CultureInfo.InvariantCulture), Parse(text));
    }

    [Fact]
    public void Negative_zero_keeps_its_sign()
    {
        Assert.True(double.IsNegative(Parse("-0")));
        Assert.True(double.IsNegative(Parse("-0.0")));
    }

    [Fact]
    public void Agrees_with_the_runtime_parser_on_random_values_in_many_formats()
    {
        var random = new Random(12345);
        string[] formats = ["R", "G6", "G17", "E3", "F2", "F10", "0.################"];
        for (var i = 0; i < 20_000; i++)
        {
            var value = Math.Pow(10, random.Next(-30, 30)) * (random.NextDouble() - 0.5);
            var text = value.ToString(formats[i % formats.Length], CultureInfo.InvariantCulture);

            Assert.Equal(double.Parse(text, CultureInfo.InvariantCulture), Parse(text));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("1e")]
    [InlineData("e5")]
    [InlineData(".")]
    [InlineData("-")]
    [InlineData("1.2.3")]
    [InlineData("0x10")]
    [InlineData("1,5")]
    [InlineData("12abc")]
    [InlineData("--1")]
    public void Rejects_non_numbers(string text)
    {
        Assert.False(Utf8Number.TryParse(Encoding.UTF8.GetBytes(text), out _));
    }

    [Fact]
    public void ParseField_stops_at_terminators()
    {
        var data = "12.5,7\r\n-3\n"u8;

        Assert.Equal(4, Utf8Number.ParseField(data, 0, (byte)',', out var first));
        Assert.Equal(12.5, first);
        Assert.Equal(6, Utf8Number.ParseField(data, 5, (byte)',', out var second));
        Assert.Equal(7, second);
        Assert.Equal(10, Utf8Number.ParseField(data, 8, (byte)',', out var third));
        Assert.Equal(-3, third);
        Assert.Equal(-1, Utf8Number.ParseField("1;2"u8, 0, (byte)',', out _));
    }
}
