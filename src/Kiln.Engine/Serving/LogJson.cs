using System.Runtime.CompilerServices;
using System.Text.Json;
using Kiln.Core.Serving;
using Kiln.Learn.Data;
using Kiln.Tabular;
using Kiln.Tabular.Columns;

namespace Kiln.Engine.Serving;

/// <summary>
/// A request's rows as the prediction log keeps them, written as UTF-8 straight into a <see cref="PredictionRows"/>
/// batch: the features of a row as a JSON array in the model's order when the source names them
/// (<see cref="PredictionSource.InputNames"/>), else as a JSON object (null for a missing value), and its answer as the
/// scoring protocol writes it. The feature columns are found once per request (by position when the request's columns are in the
/// model's order, as they usually are), and one JSON writer is reused per thread.
/// </summary>
public sealed class LogJson
{
    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    private static readonly ConditionalWeakTable<ModelSchema, JsonEncodedText[]> Names = [];

    private readonly ModelSchema _schema;
    private readonly Column[] _columns;
    private readonly JsonEncodedText[] _names;
    private readonly int _rowCount;

    private readonly RawCells? _raw;

    /// <summary>Reads rows of <paramref name="table"/>, whose columns include every feature of <paramref name="schema"/>;
    /// numbers found in <paramref name="raw"/> are copied as the request sent them.</summary>
    public LogJson(Table table, ModelSchema schema, RawCells? raw = null)
    {
        _schema = schema;
        _raw = raw;
        _rowCount = table.RowCount;
        var features = schema.Features;
        _columns = new Column[features.Count];
        for (var f = 0; f < _columns.Length; f++)
        {
            _columns[f] = f < table.ColumnCount && table[f].Name == features[f].Name ? table[f] : table[features[f].Name];
        }
        _names = Names.GetValue(schema, s => [.. s.Features.Select(f => JsonEncodedText.Encode(f.Name))]);
    }

    /// <summary>Adds every row of the table to <paramref name="rows"/>: request id <paramref name="requestId"/> for the
    /// first and ID:ROW for the others, its inputs, and its answer from <paramref name="outputs"/>.</summary>
    public void AddRows(PredictionRows rows, PredictionSource source, string requestId, long time, double latencyMs, double[] outputs)
    {
        Span<byte> suffix = stackalloc byte[12];
        for (var row = 0; row < _rowCount; row++)
        {
            var start = rows.Length;
            rows.Write(requestId);
            if (row > 0)
            {
                suffix[0] = (byte)':';
                row.TryFormat(suffix[1..], out var digits, provider: System.Globalization.CultureInfo.InvariantCulture);
                rows.Write(suffix[..(digits + 1)]);
            }
            var id = start..rows.Length;
            rows.Add(new PredictionRow(source, time, latencyMs, id, Inputs(rows, row, source.InputNames is not null), Output(rows, outputs, row)));
        }
    }

    /// <summary>The model's feature names as a JSON array: a <see cref="PredictionSource.InputNames"/> for
    /// <see cref="AddRows"/> to write each row's inputs as an array in this order.</summary>
    public static string InputNames(ModelSchema schema) => JsonSerializer.Serialize(schema.Features.Select(f => f.Name));

    /// <summary>Row <paramref name="row"/>'s features written to <paramref name="rows"/>: a JSON array in the model's
    /// feature order when <paramref name="compact"/> (the names are kept once per model, not in every row: a third of a
    /// row's bytes, and of what the log's writer spends on it), else a JSON object.</summary>
    private Range Inputs(PredictionRows rows, int row, bool compact)
    {
        var start = rows.Length;
        var w = Writer(rows);
        if (compact)
        {
            w.WriteStartArray();
        }
        else
        {
            w.WriteStartObject();
        }
        for (var f = 0; f < _columns.Length; f++)
        {
            if (!compact)
            {
                w.WritePropertyName(_names[f]);
            }
            var column = _columns[f];
            if (column.IsMissing(row))
            {
                w.WriteNullValue();
            }
            else if (_raw is not null && _raw.TryGet(row, f, out var text))
            {
                w.WriteRawValue(text, skipInputValidation: true); // a JSON number the scanner read and checked
            }
            else if (column is NumericColumn numeric)
            {
                var value = numeric.GetValue(row);
                if (double.IsFinite(value))
                {
                    w.WriteNumberValue(value);
                }
                else
                {
                    w.WriteNullValue(); // JSON has no infinities (a request may send 1e400)
                }
            }
            else
            {
                w.WriteStringValue(column.FormatValue(row));
            }
        }
        if (compact)
        {
            w.WriteEndArray();
        }
        else
        {
            w.WriteEndObject();
        }
        w.Flush();
        return start..rows.Length;
    }

    /// <summary>Row <paramref name="row"/>'s answer, as <see cref="ScoringPayload.WritePredictions"/> writes it.</summary>
    private Range Output(PredictionRows rows, double[] outputs, int row)
    {
        var start = rows.Length;
        var w = Writer(rows);
        ScoringPayload.WriteOutput(w, _schema, outputs, row);
        w.Flush();
        return start..rows.Length;
    }

    private static Utf8JsonWriter Writer(PredictionRows rows)
    {
        var writer = t_writer ??= new Utf8JsonWriter(rows);
        writer.Reset(rows);
        return writer;
    }
}
