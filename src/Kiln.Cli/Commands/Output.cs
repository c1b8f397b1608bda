using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Kiln.Core.Json;
using Spectre.Console;

namespace Kiln.Cli.Commands;

/// <summary>How list and show commands print: a table for people, JSON or CSV for scripts (<c>--output</c>).</summary>
internal enum OutputFormat
{
    Table,
    Json,
    Csv,
}

/// <summary>
/// Writes rows of cells (strings, numbers, times) as a table, a JSON array of objects or CSV. Tables on a terminal have
/// box borders; written to a pipe or a file (or with NO_COLOR) they use ASCII borders, so no box-drawing characters.
/// </summary>
internal static class Output
{
    public static Option<string> CreateOption()
    {
        var option = new Option<string>("--output", "-o") { Description = "table (default), json or csv.", DefaultValueFactory = _ => "table" };
        option.AcceptOnlyFromAmong("table", "json", "csv");
        return option;
    }

    /// <summary>A Unix-milliseconds time as a cell (null stays empty).</summary>
    public static object? Time(long? unixMs) => unixMs is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;

    public static OutputFormat Format(ParseResult parse, Option<string> option) => parse.GetValue(option) switch
    {
        "json" => OutputFormat.Json,
        "csv" => OutputFormat.Csv,
        _ => OutputFormat.Table,
    };

    /// <summary>A table bordered for where the output goes.</summary>
    public static Table NewTable()
    {
        var table = new Table();
        return CliConsole.Current.Profile.Capabilities.Ansi ? table : table.Border(TableBorder.Ascii);
    }

    /// <summary>Writes the rows; in a table, numbers are right-aligned and shown with six significant digits.</summary>
    public static void Write(OutputFormat format, IReadOnlyList<string> columns, IEnumerable<IReadOnlyList<object?>> rows)
    {
        switch (format)
        {
            case OutputFormat.Json:
                WriteJson(columns, rows);
                break;
            case OutputFormat.Csv:
                WriteCsv(columns, rows);
                break;
            default:
                WriteTable(columns, rows.ToList());
                break;
        }
    }

    private static void WriteTable(IReadOnlyList<string> columns, List<IReadOnlyList<object?>> rows)
    {
        var table = NewTable();
        for (var c = 0; c < columns.Count; c++)
        {
            var numeric = rows.Count > 0 && rows.All(r => r[c] is null or double or long or int);
            var column = new TableColumn(Commands.Format.Escape(columns[c]));
            table.AddColumn(numeric ? column.RightAligned() : column);
        }
        foreach (var row in rows)
        {
            table.AddRow([.. row.Select(cell => Commands.Format.Escape(Text(cell, forTable: true)))]);
        }
        CliConsole.Current.Write(table);
    }

    /// <summary>Writes one indented JSON document (readable quotes and non-ASCII) to the command's output.</summary>
    public static void WriteJsonDocument(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = Kiln.Core.Mlflow.MlflowJson.WriterOptions.Encoder }))
        {
            write(json);
        }
        CliConsole.Current.Profile.Out.Writer.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private static void WriteJson(IReadOnlyList<string> columns, IEnumerable<IReadOnlyList<object?>> rows) => WriteJsonDocument(json =>
        {
            json.WriteStartArray();
            foreach (var row in rows)
            {
                json.WriteStartObject();
                for (var c = 0; c < columns.Count; c++)
                {
                    json.WritePropertyName(columns[c]);
                    switch (row[c])
                    {
                        case null:
                            json.WriteNullValue();
                            break;
                        case double d:
                            JsonValues.WriteDouble(json, d);
                            break;
                        case long l:
                            json.WriteNumberValue(l);
                            break;
                        case int i:
                            json.WriteNumberValue(i);
                            break;
                        default:
                            json.WriteStringValue(Text(row[c], forTable: false));
                            break;
                    }
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
        });

    private static void WriteCsv(IReadOnlyList<string> columns, IEnumerable<IReadOnlyList<object?>> rows)
    {
        var writer = CliConsole.Current.Profile.Out.Writer;
        writer.WriteLine(string.Join(",", columns.Select(Quote)));
        foreach (var row in rows)
        {
            writer.WriteLine(string.Join(",", row.Select(cell => Quote(Text(cell, forTable: false)))));
        }
    }

    private static string Text(object? cell, bool forTable) => cell switch
    {
        null => "",
        double d when forTable => Commands.Format.Number(d),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        DateTimeOffset t => forTable ? Commands.Format.Time(t.ToUnixTimeMilliseconds()) : t.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => cell.ToString() ?? "",
    };

    private static string Quote(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) < 0 ? field : "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
