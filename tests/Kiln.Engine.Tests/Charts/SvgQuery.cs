using System.Xml.Linq;

namespace Kiln.Engine.Tests.Charts;

/// <summary>Parses chart output as XML and finds elements by their class attribute.</summary>
internal static class SvgQuery
{
    public static List<XElement> WithClass(string svg, string className) =>
        [.. XDocument.Parse(svg).Descendants().Where(e => (string?)e.Attribute("class") == className)];

    public static List<string> Texts(string svg, string className) => [.. WithClass(svg, className).Select(e => e.Value)];
}
