using System.Net;
using System.Text;
using System.Text.Json;
using CsCheck;
using Kiln.Testing;

namespace Kiln.Server.Tests.Mlflow;

/// <summary>
/// Property-based fuzzing (CsCheck) of the JSON endpoints and the filter grammar: whatever the body — fields of the
/// wrong type, lone surrogates, huge numbers, truncated or garbled JSON, random filters — the answer is never a 500.
/// </summary>
public sealed class MlflowFuzzTests : ServerTestBase
{
    private static readonly (string Method, string Path, string Template)[] Endpoints =
    [
        ("POST", "experiments/create", """{"name":"e","artifact_location":"/tmp/x","tags":[{"key":"k","value":"v"}]}"""),
        ("POST", "experiments/update", """{"experiment_id":"0","new_name":"n"}"""),
        ("POST", "experiments/search", """{"max_results":10,"filter":"name LIKE 'a%'","order_by":["name"],"page_token":"eyJvZmZzZXQiOiAxfQ=="}"""),
        ("POST", "experiments/set-experiment-tag", """{"experiment_id":"0","key":"k","value":"v"}"""),
        ("POST", "runs/create", """{"experiment_id":"0","run_name":"r","start_time":1,"tags":[{"key":"k","value":"v"}]}"""),
        ("POST", "runs/update", """{"run_id":"RUN","status":"FINISHED","end_time":2,"run_name":"r2"}"""),
        ("POST", "runs/log-metric", """{"run_id":"RUN","key":"m","value":1.5,"timestamp":1,"step":0}"""),
        ("POST", "runs/log-parameter", """{"run_id":"RUN","key":"p","value":"v"}"""),
        ("POST", "runs/set-tag", """{"run_id":"RUN","key":"t","value":"v"}"""),
        ("POST", "runs/log-batch", """{"run_id":"RUN","metrics":[{"key":"m","value":1,"timestamp":1,"step":1}],"params":[{"key":"q","value":"1"}],"tags":[{"key":"t","value":"v"}]}"""),
        ("POST", "runs/log-inputs", """{"run_id":"RUN","datasets":[{"tags":[],"dataset":{"name":"d","digest":"x","source_type":"local","source":"s"}}]}"""),
        ("POST", "runs/search", """{"experiment_ids":["0"],"filter":"metrics.m > 0","order_by":["metrics.m DESC"],"max_results":5,"run_view_type":"ALL"}"""),
        ("POST", "runs/log-model", """{"run_id":"RUN","model_json":"{\"artifact_path\":\"m\",\"flavors\":{},\"utc_time_created\":\"t\",\"run_id\":\"RUN\"}"}"""),
        ("POST", "experiments/search-datasets", """{"experiment_ids":["0"]}"""),
    ];

    private static readonly string[] Values =
    [
        "null", "true", "false", "0", "-1", "1.5", "1e309", "-1e309", "9223372036854775808", "-9223372036854775809", "2147483648",
        "\"\"", "\"x\"", "\"NaN\"", "\"Infinity\"", "\"\\ud800\"", "\"a\\udc00b\"", "\"\\u0000\"", "\"../../etc\"", "\"%2e%2e%2f\"",
        "[]", "{}", "[1,\"a\",null]", "{\"key\":1}", "[{\"key\":null,\"value\":[]}]", "\"" + new string('x', 9000) + "\"",
    ];

    private static readonly string[] FilterPieces =
    [
        "metrics.m", "params.p", "tags.t", "attributes.status", "attribute.run_name", "datasets.name", "name", "=", "!=", ">", ">=", "LIKE", "ILIKE",
        "IN", "NOT IN", "AND", "OR", "(", ")", "'a'", "'%'", "\"q\"", "1", "-1.5e3", "NaN", ",", "`x`", "'", "\\", "\u0000", "\ud83d\ude00",
    ];

    /// <summary>A body built from a template: a field's value replaced or dropped, the text cut short, or bytes thrown in.</summary>
    private static readonly Gen<(int Endpoint, string Body)> Requests =
        Gen.Select(Gen.Int[0, Endpoints.Length - 1], Gen.Int[0, 4], Gen.Int[0, Values.Length - 1], Gen.Int[0, 400], Gen.String, (e, mode, v, cut, noise) =>
        {
            var template = Endpoints[e].Template;
            var body = mode switch
            {
                0 => ReplaceField(template, cut, Values[v]),
                1 => ReplaceField(template, cut, JsonSerializer.Serialize(noise)),
                2 => template[..Math.Min(template.Length, cut % (template.Length + 1))],
                3 => template.Insert(cut % (template.Length + 1), noise),
                _ => DropField(template, cut),
            };
            return (e, body);
        });

    private static readonly Gen<string> Filters =
        Gen.Select(Gen.Int[0, FilterPieces.Length - 1].Array[0, 12], Gen.String, (pieces, noise) =>
            string.Join(" ", pieces.Select(p => FilterPieces[p])) + (noise.Length % 3 == 0 ? noise : ""));

    [Fact]
    public async Task No_body_sent_to_a_json_endpoint_gets_a_500()
    {
        var runId = await CreateRunAsync();
        await Requests.SampleAsync(async request =>
        {
            var (method, path, _) = Endpoints[request.Endpoint];
            var body = request.Body.Replace("RUN", runId, StringComparison.Ordinal);
            using var message = new HttpRequestMessage(new HttpMethod(method), "api/2.0/mlflow/" + path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            using var response = await Http.SendAsync(message);
            Assert.True((int)response.StatusCode < 500, $"{method} {path} with {Shorten(body)} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }, iter: 1500, threads: 1, seed: "0N0XIzNsQ0O2");
    }

    [Fact]
    public async Task No_filter_gets_a_500()
    {
        await CreateRunAsync();
        await Filters.SampleAsync(async filter =>
        {
            var (status, body) = await PostAsync("api/2.0/mlflow/runs/search", new { experiment_ids = new[] { "0" }, filter });
            Assert.True((int)status < 500, $"filter {Shorten(filter)} answered {(int)status}: {body}");
            var (experimentStatus, experimentBody) = await PostAsync("api/2.0/mlflow/experiments/search", new { filter });
            Assert.True((int)experimentStatus < 500, $"experiment filter {Shorten(filter)} answered {(int)experimentStatus}: {experimentBody}");
            Assert.True(status is HttpStatusCode.OK or HttpStatusCode.BadRequest);
        }, iter: 600, threads: 1, seed: "0N0XIzNsQ0O2");
    }

    /// <summary>Replaces the value of the n-th field (n chosen by <paramref name="pick"/>) with <paramref name="value"/>.</summary>
    private static string ReplaceField(string template, int pick, string value)
    {
        using var doc = JsonDocument.Parse(template);
        var fields = doc.RootElement.EnumerateObject().ToList();
        var chosen = fields[pick % fields.Count].Name;
        var copy = fields.ToDictionary(f => f.Name, f => f.Name == chosen ? value : f.Value.GetRawText());
        return "{" + string.Join(",", copy.Select(kv => $"{JsonSerializer.Serialize(kv.Key)}:{kv.Value}")) + "}";
    }

    private static string DropField(string template, int pick)
    {
        using var doc = JsonDocument.Parse(template);
        var fields = doc.RootElement.EnumerateObject().ToList();
        var dropped = fields[pick % fields.Count].Name;
        return "{" + string.Join(",", fields.Where(f => f.Name != dropped).Select(f => $"{JsonSerializer.Serialize(f.Name)}:{f.Value.GetRawText()}")) + "}";
    }

    private static string Shorten(string s) => s.Length <= 300 ? s : s[..300] + "…";
}
