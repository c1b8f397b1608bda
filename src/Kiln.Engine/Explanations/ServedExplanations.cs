using System.Text.Json;
using Kiln.Core.Errors;
using Kiln.Engine.Flavors;
using Kiln.Learn;
using Kiln.Learn.Explanations;
using Kiln.Tabular;

namespace Kiln.Engine.Explanations;

/// <summary>What a scoring request asked to be explained: on or off, and how many reason codes per row.</summary>
/// <param name="Top">Reason codes per row (1 to 20).</param>
public sealed record ExplainRequest(int Top)
{
    /// <summary>The request's explain settings: <c>"explain": true</c> at the top of the body or in its <c>params</c> (MLflow's
    /// scoring parameters) or <c>parameters</c> (the Open Inference Protocol's), with an optional <c>explain_top</c> (3 by
    /// default); null when it did not ask. Only bodies that mention "explain" are parsed.</summary>
    public static ExplainRequest? Of(ReadOnlySpan<byte> body)
    {
        if (body.IndexOf("\"explain"u8) < 0)
        {
            return null;
        }
        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            return Of(document.RootElement);
        }
        catch (JsonException)
        {
            return null; // not JSON: the scoring reader says what is wrong with the body
        }
    }

    /// <inheritdoc cref="Of(ReadOnlySpan{byte})"/>
    public static ExplainRequest? Of(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        foreach (var holder in new[] { body, Child(body, "params"), Child(body, "parameters") })
        {
            if (holder.ValueKind != JsonValueKind.Object || !holder.TryGetProperty("explain", out var flag))
            {
                continue;
            }
            if (flag.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                throw KilnException.Invalid("\"explain\" must be true or false.");
            }
            if (flag.ValueKind == JsonValueKind.False)
            {
                return null;
            }
            var top = 3;
            if (holder.TryGetProperty("explain_top", out var t))
            {
                if (t.ValueKind != JsonValueKind.Number || !t.TryGetInt32(out top) || top is < 1 or > 20)
                {
                    throw KilnException.Invalid("\"explain_top\" must be a whole number from 1 to 20 (reason codes per row).");
                }
            }
            return new ExplainRequest(top);
        }
        return null;
    }

    private static JsonElement Child(JsonElement body, string name) => body.TryGetProperty(name, out var child) ? child : default;

    /// <summary>The model to explain with: a Kiln model (trained by Kiln, or imported XGBoost/LightGBM trees) that can explain;
    /// otherwise a clear error.</summary>
    public static TrainedModel ModelOf(IPredictor predictor)
    {
        if (predictor is not KilnPredictor { Model: var model })
        {
            throw KilnException.Invalid($"This is a {predictor.Flavor} model, which Kiln cannot explain: explanations are for Kiln's own models and imported XGBoost and LightGBM trees (serve or score it without explain).");
        }
        return model.ExplainUnavailable is { } reason ? throw KilnException.Invalid(reason) : model;
    }
}

/// <summary>Explanations in a scoring answer.</summary>
public static class ServedExplanations
{
    /// <summary>
    /// Writes <c>"explanations": [...]</c>, one object per row: the explained <c>class</c> (multiclass), the <c>bias</c>, the
    /// <c>contributions</c> by feature, and the top <c>reasons</c> (feature, value, contribution) — for a declined binary
    /// applicant the features that pulled the score down most.
    /// </summary>
    public static void Write(Utf8JsonWriter w, TrainedModel model, Table table, double[] predictions, ExplainRequest request)
    {
        var values = model.Explain(table);
        var schema = model.Schema;
        var features = schema.Features.Count;
        var width = ModelExplanation.Width(model);
        w.WriteStartArray("explanations");
        for (var r = 0; r < table.RowCount; r++)
        {
            var k = Explainer.ExplainedOutput(model, predictions, r);
            var start = (r * width) + ModelExplanation.Index(model, k, 0);
            var contributions = values.AsSpan(start, features);
            w.WriteStartObject();
            if (schema.Task == TaskKind.MulticlassClassification)
            {
                w.WriteString("class", schema.Classes[k]);
            }
            w.WriteNumber("bias", values[start + features]);
            w.WriteStartObject("contributions");
            for (var f = 0; f < features; f++)
            {
                w.WriteNumber(schema.Features[f].Name, contributions[f]);
            }
            w.WriteEndObject();
            w.WriteStartArray("reasons");
            foreach (var reason in Explainer.Reasons(model, table, r, contributions, Explainer.Positive(model, predictions, r), request.Top))
            {
                w.WriteStartObject();
                w.WriteString("feature", reason.Feature);
                w.WriteString("value", reason.Value);
                w.WriteNumber("contribution", reason.Contribution);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }
}

/// <summary>Explanations as Open Inference Protocol output tensors (REST and gRPC).</summary>
/// <param name="Rows">Rows explained.</param>
/// <param name="Columns">The contribution tensor's column names: the features, then <c>bias</c>.</param>
/// <param name="Contributions">Row-major [rows, features + 1]: each feature's contribution to the explained output's raw
/// score (a multiclass model's predicted class), then the bias.</param>
/// <param name="Top">Reason codes per row.</param>
/// <param name="Reasons">Row-major [rows, top]: <c>FEATURE=VALUE (±contribution)</c>, "" where a row has fewer.</param>
public sealed record ExplanationTensors(int Rows, IReadOnlyList<string> Columns, double[] Contributions, int Top, string[] Reasons)
{
    /// <summary>The name of the contribution tensor.</summary>
    public const string ContributionsName = "contributions";

    /// <summary>The name of the reason tensor.</summary>
    public const string ReasonsName = "reasons";

    /// <summary>Explains <paramref name="table"/>'s rows.</summary>
    public static ExplanationTensors Build(TrainedModel model, Table table, double[] predictions, ExplainRequest request)
    {
        var values = model.Explain(table);
        var schema = model.Schema;
        var features = schema.Features.Count;
        var width = ModelExplanation.Width(model);
        var rows = table.RowCount;
        var contributions = new double[rows * (features + 1)];
        var reasons = new string[rows * request.Top];
        for (var r = 0; r < rows; r++)
        {
            var start = (r * width) + ModelExplanation.Index(model, Explainer.ExplainedOutput(model, predictions, r), 0);
            values.AsSpan(start, features + 1).CopyTo(contributions.AsSpan(r * (features + 1)));
            var codes = Explainer.Reasons(model, table, r, values.AsSpan(start, features), Explainer.Positive(model, predictions, r), request.Top);
            for (var k = 0; k < request.Top; k++)
            {
                reasons[(r * request.Top) + k] = k < codes.Count ? codes[k].ToString() : "";
            }
        }
        return new ExplanationTensors(rows, [.. schema.Features.Select(f => f.Name), "bias"], contributions, request.Top, reasons);
    }

    /// <summary>Writes the two tensors as OIP REST output objects.</summary>
    public void Write(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("name", ContributionsName);
        w.WriteString("datatype", "FP64");
        w.WriteStartArray("shape");
        w.WriteNumberValue(Rows);
        w.WriteNumberValue(Columns.Count);
        w.WriteEndArray();
        w.WriteStartObject("parameters");
        w.WriteString("columns", string.Join(',', Columns));
        w.WriteEndObject();
        w.WriteStartArray("data");
        foreach (var v in Contributions)
        {
            w.WriteNumberValue(v);
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteStartObject();
        w.WriteString("name", ReasonsName);
        w.WriteString("datatype", "BYTES");
        w.WriteStartArray("shape");
        w.WriteNumberValue(Rows);
        w.WriteNumberValue(Top);
        w.WriteEndArray();
        w.WriteStartArray("data");
        foreach (var reason in Reasons)
        {
            w.WriteStringValue(reason);
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }
}
