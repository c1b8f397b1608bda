using System.Buffers;
using System.Text;
using System.Text.Json;
using Kiln.Learn.Data;
using Kiln.Tabular;
using Kiln.Tabular.Columns;

namespace Kiln.Engine.Serving;

/// <summary>
/// A request's rows as the prediction log keeps them: the features of a row as a JSON object (null for a missing value)
/// and its answer as the scoring protocol writes it. The feature columns are looked up once per request and one buffer
/// and JSON writer are reused per thread (the log's writer builds every logged row, so it allocates only the strings).
/// </summary>
public sealed class LogJson
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    private readonly ModelSchema _schema;
    private readonly Column[] _columns;
    private readonly JsonEncodedText[] _names;

    /// <summary>Reads rows of <paramref name="table"/>, whose columns include every feature of <paramref name="schema"/>.</summary>
    public LogJson(Table table, ModelSchema schema)
    {
        _schema = schema;
        _columns = [.. schema.Features.Select(f => table[f.Name])];
        _names = [.. schema.Features.Select(f => JsonEncodedText.Encode(f.Name))];
    }

    /// <summary>Row <paramref name="row"/>'s features as a JSON object.</summary>
    public string Inputs(int row)
    {
        var w = Start();
        w.WriteStartObject();
        for (var f = 0; f < _columns.Length; f++)
        {
            var column = _columns[f];
            if (column.IsMissing(row))
            {
                w.WriteNull(_names[f]);
            }
            else if (column is NumericColumn numeric)
            {
                w.WriteNumber(_names[f], numeric.GetValue(row));
            }
            else
            {
                w.WriteString(_names[f], column.FormatValue(row));
            }
        }
        w.WriteEndObject();
        return Finish(w);
    }

    /// <summary>Row <paramref name="row"/>'s answer, as <see cref="ScoringPayload.WritePredictions"/> writes it.</summary>
    public string Output(double[] outputs, int row)
    {
        var w = Start();
        ScoringPayload.WriteOutput(w, _schema, outputs, row);
        return Finish(w);
    }

    private static Utf8JsonWriter Start()
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(buffer);
        writer.Reset(buffer);
        return writer;
    }

    private static string Finish(Utf8JsonWriter writer)
    {
        writer.Flush();
        return Encoding.UTF8.GetString(t_buffer!.WrittenSpan);
    }
}
