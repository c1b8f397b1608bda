using System.Text;

namespace Kiln.Tabular.Csv;

public static partial class CsvReader
{
    private static string[] ReadHeader(ReadOnlySpan<byte> span, ref int pos, byte separator, string sourceName)
    {
        var length = span.Length;
        while (pos < length && (span[pos] == '\n' || span[pos] == '\r'))
        {
            pos++;
        }
        if (pos == length)
        {
            throw new CsvFormatException(sourceName, LineOf(span, pos), 0, null, "The file has no header row; the first line must name the columns.");
        }

        var names = new List<string>();
        var indexByName = new Dictionary<string, int>(StringComparer.Ordinal);
        var scratch = new byte[256];
        bool rowEnd;
        do
        {
            var error = FieldReader.Read(span, ref pos, separator, ref scratch, out var content, out rowEnd, out var errorOffset);
            if (error != FieldError.None)
            {
                throw new CsvFormatException(sourceName, LineOf(span, errorOffset), names.Count + 1, null, $"Header: {FieldErrorDetail(error)}");
            }
            var name = content.Length == 0 ? $"Unnamed: {names.Count}" : Encoding.UTF8.GetString(content);
            if (!indexByName.TryAdd(name, names.Count))
            {
                throw new CsvFormatException(
                    sourceName, LineOf(span, pos - 1), names.Count + 1, name,
                    $"Header: the name repeats column {indexByName[name] + 1}; column names must be distinct.");
            }
            names.Add(name);
        }
        while (!rowEnd);
        return [.. names];
    }
}
