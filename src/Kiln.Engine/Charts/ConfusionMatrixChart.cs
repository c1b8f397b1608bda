using static Kiln.Engine.Charts.SvgDocument;

namespace Kiln.Engine.Charts;

/// <summary>Confusion-matrix heatmaps: actual classes down, predicted classes across.</summary>
public static class ConfusionMatrixChart
{
    private const double Top = 44, Right = 20, LabelFont = 11;
    private const int MaxLabelChars = 16;

    /// <summary>
    /// Renders <paramref name="counts"/>[actual, predicted] with the count and row percentage in each cell.
    /// With <paramref name="normalize"/> the row percentage leads and colours are by row share; otherwise by count.
    /// </summary>
    public static string Render(IReadOnlyList<string> labels, long[,] counts, bool normalize = false, ChartOptions? options = null)
    {
        var n = labels.Count;
        if (counts.GetLength(0) != n || counts.GetLength(1) != n)
        {
            throw new ArgumentException($"counts is {counts.GetLength(0)}x{counts.GetLength(1)} but there are {n} labels; give an n x n matrix.", nameof(counts));
        }
        var names = labels.Select(l => Truncate(l, MaxLabelChars)).ToList();
        var labelWidth = n == 0 ? 0 : names.Max(l => TextWidth(l, LabelFont));
        var gridLeft = 30 + labelWidth + 8;
        var (o, cell, rotate, bottom) = Layout(options, n, gridLeft, labelWidth);
        var left = gridLeft + Math.Max(0, (o.Width - gridLeft - Right - n * cell) / 2);
        var svg = new SvgDocument(o.Width, o.Height, normalize ? "Confusion matrix (normalized by row)" : "Confusion matrix");
        if (n == 0)
        {
            svg.Text(o.Width / 2.0, o.Height / 2.0, "No data", 14, "middle", $"class=\"no-data\" fill=\"{Palette.Reference}\"");
            return svg.ToString();
        }
        var rowTotals = Enumerable.Range(0, n).Select(r => Enumerable.Range(0, n).Sum(c => counts[r, c])).ToArray();
        var maxCount = Math.Max(1, counts.Cast<long>().Max());
        var (big, small) = (Math.Clamp(cell * 0.26, 8, 16), Math.Clamp(cell * 0.2, 8, 12));
        for (var r = 0; r < n; r++)
        {
            for (var c = 0; c < n; c++)
            {
                var share = rowTotals[r] == 0 ? 0 : (double)counts[r, c] / rowTotals[r];
                var (fill, dark) = Shade(normalize ? share : (double)counts[r, c] / maxCount);
                var (x, y) = (left + c * cell, Top + r * cell);
                svg.Rect(x, y, cell, cell, fill, "class=\"cell\" stroke=\"#ffffff\"");
                var percent = (share * 100).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + "%";
                var (first, second) = normalize ? (percent, counts[r, c].ToString()) : (counts[r, c].ToString(), percent);
                var ink = dark ? "#ffffff" : Palette.Text;
                var hasRoom = cell >= big + small + 10;
                svg.Text(x + cell / 2, y + cell / 2 + (hasRoom ? 0 : big * 0.35), first, big, "middle", $"class=\"cell-value\" fill=\"{ink}\"");
                if (hasRoom)
                {
                    svg.Text(x + cell / 2, y + cell / 2 + small + 3, second, small, "middle", $"class=\"cell-share\" fill=\"{ink}\"");
                }
            }
            svg.Text(left - 6, Top + r * cell + cell / 2 + 4, names[r], LabelFont, "end", $"class=\"row-label\" fill=\"{Palette.Text}\"");
            var cx = left + r * cell + cell / 2;
            var col = rotate ? $"transform=\"rotate(-45 {F(cx)} {F(Top + n * cell + 14)})\"" : "";
            svg.Text(cx, Top + n * cell + 14, names[r], LabelFont, rotate ? "end" : "middle", $"class=\"col-label\" fill=\"{Palette.Text}\" {col}");
        }
        svg.Text(left + n * cell / 2, Top + n * cell + bottom - 14, "Predicted", 12, "middle", "class=\"axis-label\"");
        svg.Text(0, 0, "Actual", 12, "middle", $"class=\"axis-label\" transform=\"translate({F(left - labelWidth - 22)},{F(Top + n * cell / 2)}) rotate(-90)\"");
        return svg.ToString();
    }

    /// <summary>The canvas, cell size and column-label placement; without options the canvas is sized to the matrix.</summary>
    private static (ChartOptions Options, double Cell, bool Rotate, double Bottom) Layout(ChartOptions? options, int n, double left, double labelWidth)
    {
        if (n == 0)
        {
            return ((options ?? new ChartOptions { Width = 360, Height = 200 }).Validated(), 0, false, 48);
        }
        if (options is null)
        {
            var size = Math.Min(Math.Clamp(440.0 / n, 36, 110), (3800 - left) / n);
            var tilt = labelWidth > size - 6;
            var below = tilt ? 44 + labelWidth * 0.75 : 48;
            return (new ChartOptions { Width = (int)Math.Ceiling(Math.Max(360, left + n * size + Right)), Height = (int)Math.Ceiling(Top + n * size + below) }.Validated(), size, tilt, below);
        }
        options.Validated();
        var cell = Math.Min((options.Width - left - Right) / n, (options.Height - Top - 48) / n);
        var rotate = labelWidth > cell - 6;
        var bottom = rotate ? 44 + labelWidth * 0.75 : 48;
        return (options, Math.Min((options.Width - left - Right) / n, (options.Height - Top - bottom) / n), rotate, bottom);
    }

    /// <summary>White to dark blue for <paramref name="t"/> in [0, 1], and whether the shade needs light text.</summary>
    private static (string Fill, bool Dark) Shade(double t)
    {
        t = Math.Clamp(double.IsFinite(t) ? t : 0, 0, 1);
        var (r, g, b) = ((int)Math.Round(247 + (8 - 247) * t), (int)Math.Round(251 + (48 - 251) * t), (int)Math.Round(255 + (107 - 255) * t));
        var luminance = (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
        return ($"#{r:x2}{g:x2}{b:x2}", luminance < 0.5);
    }
}
