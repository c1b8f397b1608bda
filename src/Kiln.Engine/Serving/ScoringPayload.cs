using System.Globalization;
using System.Text.Json;
using Kiln.Core.Errors;
using Kiln.Learn;
using Kiln.Learn.Data;
using Kiln.Tabular;
using Kiln.Tabular.Columns;

namespace Kiln.Engine.Serving;

/// <summary>
/// MLflow's scoring protocol (<c>POST /invocations</c>): reads <c>dataframe_split</c>, <c>dataframe_records</c>,
/// <c>instances</c> or <c>inputs</c> JSON, or CSV with a header, into a table typed by the model's signature (a missing
/// feature or a value of the wrong type is an error naming the field and the row), and writes <c>{"predictions": […]}</c>.
/// </summary>
public static class ScoringPayload
{
    /// <summary>Reads a JSON body.</summary>
    public static Table ReadJson(JsonElement body, ModelSchema schema)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw KilnException.Invalid("The body must be a JSON object with one of dataframe_split, dataframe_records, instances or inputs.");
        }
        if (body.TryGetProperty("dataframe_split", out var split))
        {
            return ReadSplit(split, schema);
        }
        var columns = new Dictionary<string, List<JsonElement>>(StringComparer.Ordinal);
        int rows;
        if (body.TryGetProperty("dataframe_records", out var records) || body.TryGetProperty("instances", out records)
            || (body.TryGetProperty("inputs", out records) && records.ValueKind == JsonValueKind.Array))
        {
            var list = records.ValueKind == JsonValueKind.Array ? records.EnumerateArray().ToList() : throw KilnException.Invalid("Records must be a list of objects.");
            for (var r = 0; r < list.Count; r++)
            {
                if (list[r].ValueKind != JsonValueKind.Object)
                {
                    throw KilnException.Invalid($"Record {r} is not an object of column → value (Kiln's models take named columns).");
                }
                foreach (var property in list[r].EnumerateObject())
                {
                    if (!columns.TryGetValue(property.Name, out var column))
                    {
                        columns[property.Name] = column = [.. Enumerable.Repeat(default(JsonElement), r)];
                    }
                    column.Add(property.Value);
                }
                foreach (var column in columns.Values.Where(c => c.Count == r))
                {
                    column.Add(default);
                }
            }
            rows = list.Count;
        }
        else if (body.TryGetProperty("inputs", out var inputs) && inputs.ValueKind == JsonValueKind.Object)
        {
            rows = -1;
            foreach (var property in inputs.EnumerateObject())
            {
                var values = property.Value.ValueKind == JsonValueKind.Array ? property.Value.EnumerateArray().ToList() : [property.Value];
                if (rows >= 0 && values.Count != rows)
                {
                    throw KilnException.Invalid($"inputs.{property.Name} has {values.Count} values, other columns {rows}.");
                }
                rows = values.Count;
                columns[property.Name] = values;
            }
            rows = Math.Max(rows, 0);
        }
        else
        {
            throw KilnException.Invalid("The body needs one of dataframe_split, dataframe_records, instances or inputs (MLflow's scoring formats), or send text/csv.");
        }
        return Build(schema, rows, name => columns.TryGetValue(name, out var values) ? values : null, (values, row) => values[row]);
    }

    /// <summary>
    /// <c>dataframe_split</c> in one pass over the rows, each value going straight into its feature's array (the bulk
    /// format: 1,000-row requests spend their time here).
    /// </summary>
    private static Table ReadSplit(JsonElement split, ModelSchema schema)
    {
        if (split.ValueKind != JsonValueKind.Object)
        {
            throw KilnException.Invalid("dataframe_split must be an object: {\"columns\": [names], \"data\": [[values], …]}.");
        }
        var names = split.TryGetProperty("columns", out var c) && c.ValueKind == JsonValueKind.Array
            ? c.EnumerateArray().Select(n => n.ValueKind == JsonValueKind.String ? n.GetString()! : n.GetRawText()).ToList()
            : throw KilnException.Invalid("dataframe_split needs \"columns\": [names] and \"data\": [[values], …].");
        var data = split.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Array ? d
            : throw KilnException.Invalid("dataframe_split needs \"data\": [[values], …].");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            if (!seen.Add(name))
            {
                throw KilnException.Invalid($"dataframe_split names the column '{name}' twice.");
            }
        }
        Missing(schema, seen.Contains);
        var rows = data.GetArrayLength();
        var features = schema.Features;
        var slot = names.Select(n => schema.IndexOf(n)).ToArray();
        var numbers = new double[features.Count][];
        var texts = new string?[features.Count][];
        for (var f = 0; f < features.Count; f++)
        {
            if (features[f].Kind == FeatureKind.Categorical)
            {
                texts[f] = new string?[rows];
            }
            else
            {
                numbers[f] = new double[rows];
            }
        }
        var r = 0;
        foreach (var row in data.EnumerateArray())
        {
            if (row.ValueKind != JsonValueKind.Array)
            {
                throw KilnException.Invalid($"dataframe_split.data[{r}] is not a list of values.");
            }
            var i = 0;
            foreach (var v in row.EnumerateArray())
            {
                if (i >= slot.Length)
                {
                    throw KilnException.Invalid($"dataframe_split.data[{r}] has more values than the {names.Count} columns.");
                }
                var f = slot[i];
                if (f >= 0)
                {
                    if (numbers[f] is { } column)
                    {
                        column[r] = Number(v, r, features[f].Name);
                    }
                    else
                    {
                        texts[f]![r] = Text(v);
                    }
                }
                i++;
            }
            if (i != slot.Length)
            {
                throw KilnException.Invalid($"dataframe_split.data[{r}] has {i} values for {names.Count} columns.");
            }
            r++;
        }
        return new Table([.. features.Select((feature, f) => numbers[f] is { } values
            ? (Column)new Float64Column(feature.Name, values)
            : CategoricalColumn.FromValues(feature.Name, texts[f]!))]);
    }

    private static double Number(JsonElement v, int row, string feature) => v.ValueKind switch
    {
        JsonValueKind.Number => v.GetDouble(),
        JsonValueKind.Null or JsonValueKind.Undefined => double.NaN,
        JsonValueKind.String when double.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
        JsonValueKind.True => 1,
        JsonValueKind.False => 0,
        _ => throw KilnException.Invalid($"Row {row}, column '{feature}': {v.GetRawText()} is not a number, and the model reads '{feature}' as a number."),
    };

    /// <summary>Reads CSV text with a header row.</summary>
    public static Table ReadCsv(string csv, ModelSchema schema)
    {
        var table = Tabular.Csv.CsvReader.Parse(System.Text.Encoding.UTF8.GetBytes(csv), Training.ReadOptions.WithMissing(null) with
        {
            ColumnTypes = schema.Features.ToDictionary(f => f.Name, f => f.Kind == FeatureKind.Categorical ? ColumnKind.Categorical : ColumnKind.Numeric, StringComparer.Ordinal),
        }, "the request body", default);
        Missing(schema, name => table.ColumnNames.Contains(name));
        return table;
    }

    /// <summary>Writes <c>"predictions": […]</c>: a number per row for regression; for classifiers <c>{"prediction", "probability"}</c> (binary) or <c>{"prediction", "probabilities"}</c>.</summary>
    public static void WritePredictions(Utf8JsonWriter w, ModelSchema schema, double[] outputs, int rows)
    {
        w.WriteStartArray("predictions");
        for (var r = 0; r < rows; r++)
        {
            WriteOutput(w, schema, outputs, r);
        }
        w.WriteEndArray();
    }

    internal static void WriteOutput(Utf8JsonWriter w, ModelSchema schema, double[] outputs, int r)
    {
        var width = schema.OutputCount;
        if (schema.Task == TaskKind.Regression)
        {
            w.WriteNumberValue(outputs[r]);
            return;
        }
        // names and class labels escaped once per model, not per row
        var classes = s_classes.GetValue(schema, static s => [.. s.Classes.Select(c => JsonEncodedText.Encode(c))]);
        w.WriteStartObject();
        if (schema.Task == TaskKind.BinaryClassification)
        {
            w.WriteString(s_prediction, classes[outputs[r] >= schema.DecisionThreshold ? 1 : 0]);
            w.WriteNumber(s_probability, outputs[r]);
        }
        else
        {
            var best = 0;
            w.WriteStartObject(s_probabilities);
            for (var c = 0; c < width; c++)
            {
                w.WriteNumber(classes[c], outputs[(r * width) + c]);
                best = outputs[(r * width) + c] > outputs[(r * width) + best] ? c : best;
            }
            w.WriteEndObject();
            w.WriteString(s_prediction, classes[best]);
        }
        w.WriteEndObject();
    }

    private static readonly JsonEncodedText s_prediction = JsonEncodedText.Encode("prediction");
    private static readonly JsonEncodedText s_probability = JsonEncodedText.Encode("probability");
    private static readonly JsonEncodedText s_probabilities = JsonEncodedText.Encode("probabilities");
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ModelSchema, JsonEncodedText[]> s_classes = [];

    private static Table Build<T>(ModelSchema schema, int rows, Func<string, T?> column, Func<T, int, JsonElement> value)
        where T : class
    {
        Missing(schema, name => column(name) is not null);
        var built = new List<Column>();
        foreach (var feature in schema.Features)
        {
            var values = column(feature.Name)!;
            if (feature.Kind == FeatureKind.Categorical)
            {
                built.Add(CategoricalColumn.FromValues(feature.Name, Enumerable.Range(0, rows).Select(r => Text(value(values, r)))));
                continue;
            }
            var numbers = new double[rows];
            for (var r = 0; r < rows; r++)
            {
                numbers[r] = Number(value(values, r), r, feature.Name);
            }
            built.Add(new Float64Column(feature.Name, numbers));
        }
        return new Table(built);
    }

    private static string? Text(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => v.GetString(),
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        _ => v.GetRawText(),
    };

    internal static void Missing(ModelSchema schema, Func<string, bool> has)
    {
        var missing = schema.Features.Where(f => !has(f.Name)).Select(f => f.Name).ToList();
        if (missing.Count > 0)
        {
            throw KilnException.Invalid($"The request has no column {string.Join(", ", missing.Select(m => $"'{m}'"))}: the model needs {string.Join(", ", schema.Features.Select(f => f.Name))}.");
        }
    }
}
