using System.Globalization;
using System.Text;

namespace Kiln.Engine.Charts;

/// <summary>Writes SVG elements as text: invariant numbers, XML-escaped strings.</summary>
internal sealed class SvgDocument
{
    public const string FontFamily = "DejaVu Sans, Helvetica, Arial, sans-serif";
    private readonly StringBuilder _svg = new();

    public SvgDocument(int width, int height, string title)
    {
        _svg.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"{FontFamily}\">\n");
        _svg.Append($"<rect width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>\n");
        var fitted = Truncate(title, (int)((width - 20) / (15 * 0.6)));
        Text(width / 2.0, 26, fitted, 15, "middle", "class=\"title\" font-weight=\"bold\"");
    }

    /// <summary>Appends a raw element; its strings must already be escaped.</summary>
    public void Raw(string element) => _svg.Append(element).Append('\n');

    public void Text(double x, double y, string text, double size = 12, string anchor = "start", string attributes = "") =>
        Raw($"<text x=\"{F(x)}\" y=\"{F(y)}\" font-size=\"{F(size)}\" text-anchor=\"{anchor}\" {attributes}>{Escape(text)}</text>");

    public void Line(double x1, double y1, double x2, double y2, string stroke, double width = 1, string attributes = "") =>
        Raw($"<line x1=\"{F(x1)}\" y1=\"{F(y1)}\" x2=\"{F(x2)}\" y2=\"{F(y2)}\" stroke=\"{stroke}\" stroke-width=\"{F(width)}\" {attributes}/>");

    public void Rect(double x, double y, double width, double height, string fill, string attributes = "") =>
        Raw($"<rect x=\"{F(x)}\" y=\"{F(y)}\" width=\"{F(width)}\" height=\"{F(height)}\" fill=\"{fill}\" {attributes}/>");

    public override string ToString() => _svg + "</svg>\n";

    /// <summary>A coordinate with at most two decimals; never "-0".</summary>
    public static string F(double v) => (Math.Round(v, 2) + 0.0).ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>A value label: four significant digits, scientific outside 1e-3..1e5.</summary>
    public static string Number(double v)
    {
        var a = Math.Abs(v);
        return v == 0 ? "0"
            : a >= 1e5 || a < 1e-3 ? v.ToString("0.##E+0", CultureInfo.InvariantCulture)
            : (Math.Round(v, Math.Clamp(3 - (int)Math.Floor(Math.Log10(a)), 0, 15)) + 0.0).ToString("0.####", CultureInfo.InvariantCulture);
    }

    /// <summary>Escapes XML markup and drops characters XML 1.0 cannot hold.</summary>
    public static string Escape(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            _ = c switch
            {
                '<' => sb.Append("&lt;"),
                '>' => sb.Append("&gt;"),
                '&' => sb.Append("&amp;"),
                '"' => sb.Append("&quot;"),
                '\'' => sb.Append("&apos;"),
                _ when c < ' ' || c is '\uFFFE' or '\uFFFF' => sb,
                _ => sb.Append(c),
            };
        }
        return sb.ToString();
    }

    /// <summary>Shortens <paramref name="text"/> to <paramref name="maxChars"/> characters, ending with an ellipsis.</summary>
    public static string Truncate(string text, int maxChars)
    {
        if (text.Length <= maxChars)
        {
            return text;
        }
        var keep = Math.Max(0, maxChars - 1);
        if (keep > 0 && char.IsHighSurrogate(text[keep - 1]))
        {
            keep--;
        }
        return text[..keep] + "\u2026";
    }

    /// <summary>Approximate rendered width of <paramref name="text"/> in pixels.</summary>
    public static double TextWidth(string text, double size) => text.Length * size * 0.6;
}
