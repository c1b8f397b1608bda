using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

// Tracking benchmark over the MLflow REST API, usable against Kiln or MLflow's own server.
// Usage: Kiln.Bench.Tracking URL [--label NAME] [--search-runs N] [--ingest-batches N] [--single N] [--create N]
var url = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0].TrimEnd('/') : "http://127.0.0.1:5000";
string Arg(string name, string fallback) { var i = Array.IndexOf(args, name); return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback; }
var label = Arg("--label", url);
var searchRuns = int.Parse(Arg("--search-runs", "10000"), CultureInfo.InvariantCulture);
var ingestBatches = int.Parse(Arg("--ingest-batches", "300"), CultureInfo.InvariantCulture);
var singles = int.Parse(Arg("--single", "2000"), CultureInfo.InvariantCulture);
var creates = int.Parse(Arg("--create", "500"), CultureInfo.InvariantCulture);
var clients = int.Parse(Arg("--clients", "4"), CultureInfo.InvariantCulture);

using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = new Uri(url + "/api/2.0/mlflow/"), Timeout = TimeSpan.FromMinutes(5) };
var json = new MediaTypeHeaderValue("application/json");

Task<JsonElement> Post(string path, string body) => PostBytes(path, Encoding.UTF8.GetBytes(body));

async Task<JsonElement> PostBytes(string path, byte[] body)
{
    using var content = new ByteArrayContent(body);
    content.Headers.ContentType = json;
    using var response = await http.PostAsync(path, content);
    var text = await response.Content.ReadAsStringAsync();
    if (!response.IsSuccessStatusCode)
    {
        throw new InvalidOperationException($"{path}: {(int)response.StatusCode} {text}");
    }
    return JsonDocument.Parse(text).RootElement.Clone();
}

async Task<string> NewExperiment(string name) => (await Post("experiments/create", $"{{\"name\":\"{name}-{Guid.NewGuid():N}\"}}")).GetProperty("experiment_id").GetString()!;

async Task<string> NewRun(string experimentId, string name) =>
    (await Post("runs/create", $"{{\"experiment_id\":\"{experimentId}\",\"run_name\":\"{name}\",\"start_time\":{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}}}"))
    .GetProperty("run").GetProperty("info").GetProperty("run_id").GetString()!;

static string Batch(string runId, int points, int stepBase, int keys, Random rng, int paramCount = 0)
{
    var sb = new StringBuilder(points * 70 + 200);
    sb.Append("{\"run_id\":\"").Append(runId).Append("\",\"metrics\":[");
    for (var i = 0; i < points; i++)
    {
        if (i > 0)
        {
            sb.Append(',');
        }
        sb.Append("{\"key\":\"m").Append(i % keys).Append("\",\"value\":").Append(rng.NextDouble().ToString("R", CultureInfo.InvariantCulture))
          .Append(",\"timestamp\":").Append(1_700_000_000_000L + i).Append(",\"step\":").Append(stepBase + (i / keys)).Append('}');
    }
    sb.Append("],\"params\":[");
    for (var p = 0; p < paramCount; p++)
    {
        if (p > 0)
        {
            sb.Append(',');
        }
        sb.Append("{\"key\":\"p").Append(p).Append("\",\"value\":\"").Append(rng.Next(10)).Append("\"}");
    }
    sb.Append("]}");
    return sb.ToString();
}

static (double P50, double P99) Percentiles(List<double> ms)
{
    ms.Sort();
    return (ms[ms.Count / 2], ms[Math.Min(ms.Count - 1, (int)(ms.Count * 0.99))]);
}

var results = new List<(string Name, string Value)>();
var rng = new Random(42);
var experiment = await NewExperiment("bench");

var historyPoints = int.Parse(Arg("--history-points", "0"), CultureInfo.InvariantCulture);
if (historyPoints > 0)
{
    // Metric history mode (bench/history.sh): one key of N points logged in batches of 1000, then one page read
    // repeatedly, 16 readers at once, and the whole history paged through; the server's peak RSS from --server-pid.
    var pid = Arg("--server-pid", "");
    long PeakRssMb() => pid.Length == 0 ? -1 : long.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))
        .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
    var historyRun = await NewRun(await NewExperiment("history"), "history");
    var seedWatch = Stopwatch.StartNew();
    for (var b = 0; b < historyPoints / 1000; b++)
    {
        await Post("runs/log-batch", Batch(historyRun, 1000, b * 1000, 1, rng));
    }
    results.Add(($"log {historyPoints:N0} points of one key (log-batch 1000), s", seedWatch.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)));
    results.Add(("server peak RSS after logging, MB", PeakRssMb().ToString(CultureInfo.InvariantCulture)));
    async Task<JsonElement> HistoryPage(string? token) =>
        JsonDocument.Parse(await http.GetStringAsync($"metrics/get-history?run_id={historyRun}&metric_key=m0&max_results=25000"
            + (token is null ? "" : "&page_token=" + Uri.EscapeDataString(token)))).RootElement.Clone();
    var pageTimes = new List<double>();
    for (var i = 0; i < 7; i++)
    {
        var t = Stopwatch.GetTimestamp();
        await HistoryPage(null);
        pageTimes.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
    }
    results.Add(("first page (25,000 points) p50 ms", Percentiles(pageTimes).P50.ToString("F0", CultureInfo.InvariantCulture)));
    var concurrent = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => HistoryPage(null)));
    results.Add(("16 concurrent first-page readers, wall ms", concurrent.Elapsed.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture)));
    results.Add(("server peak RSS after 16 readers, MB", PeakRssMb().ToString(CultureInfo.InvariantCulture)));
    var all = Stopwatch.StartNew();
    var (read, pages) = (0, 0);
    string? pageToken = null;
    do
    {
        var page = await HistoryPage(pageToken);
        read += page.GetProperty("metrics").GetArrayLength();
        pages++;
        pageToken = page.TryGetProperty("next_page_token", out var token) ? token.GetString() : null;
    }
    while (pageToken is not null);
    results.Add(($"page through all ({read:N0} points, {pages} pages), s", all.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)));
    results.Add(("server peak RSS at the end, MB", PeakRssMb().ToString(CultureInfo.InvariantCulture)));
    Console.WriteLine($"## {label}");
    foreach (var (name, value) in results)
    {
        Console.WriteLine($"| {name} | {value} |");
    }
    return;
}

// Warm-up: JIT and connection pool.
var warmRun = await NewRun(experiment, "warm");
for (var i = 0; i < 50; i++)
{
    await Post("runs/log-batch", Batch(warmRun, 100, i, 10, rng));
}

// 1. Batched ingest: log-batch of 1000 points from several concurrent clients.
var ingestRuns = new List<string>();
for (var c = 0; c < clients; c++)
{
    ingestRuns.Add(await NewRun(experiment, "ingest-" + c));
}
// Bodies are encoded up front so the client spends as little of the shared CPU as possible.
var bodies = Enumerable.Range(0, ingestBatches).Select(b => Encoding.UTF8.GetBytes(Batch(ingestRuns[b % clients], 1000, (b / clients) * 100, 10, rng))).ToList();
var next = -1;
var sw = Stopwatch.StartNew();
await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
{
    int b;
    while ((b = Interlocked.Increment(ref next)) < bodies.Count)
    {
        await PostBytes("runs/log-batch", bodies[b]);
    }
}));
var pointsPerSecond = ingestBatches * 1000 / sw.Elapsed.TotalSeconds;
results.Add(("ingest points/s (log-batch 1000, " + clients + " clients)", pointsPerSecond.ToString("N0", CultureInfo.InvariantCulture)));

// 2. Single log-metric latency, one client, sequential.
var singleRun = await NewRun(experiment, "single");
var latencies = new List<double>(singles);
for (var i = 0; i < singles; i++)
{
    var body = $"{{\"run_id\":\"{singleRun}\",\"key\":\"loss\",\"value\":{rng.NextDouble().ToString("R", CultureInfo.InvariantCulture)},\"timestamp\":{1_700_000_000_000L + i},\"step\":{i}}}";
    var t = Stopwatch.GetTimestamp();
    await Post("runs/log-metric", body);
    latencies.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
}
var (p50, p99) = Percentiles(latencies);
results.Add(("log-metric p50 / p99 ms", $"{p50:F2} / {p99:F2}"));

// 3. Create-run latency.
latencies.Clear();
for (var i = 0; i < creates; i++)
{
    var t = Stopwatch.GetTimestamp();
    await NewRun(experiment, "c" + i);
    latencies.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
}
(p50, p99) = Percentiles(latencies);
results.Add(("create-run p50 / p99 ms", $"{p50:F2} / {p99:F2}"));

// 4. Search over N runs x 20 metrics x 10 params, with a metric filter and order_by.
var searchExperiment = await NewExperiment("search");
var seed = Stopwatch.StartNew();
var seeded = 0;
await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
{
    var local = new Random(c);
    while (Interlocked.Increment(ref seeded) <= searchRuns)
    {
        var runId = await NewRun(searchExperiment, "s");
        await Post("runs/log-batch", Batch(runId, 20, 0, 20, local, paramCount: 10));
    }
}));
results.Add(($"seed {searchRuns} runs (create + log-batch each), s", seed.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)));
foreach (var maxResults in new[] { 100, 1000 })
{
    var body = $"{{\"experiment_ids\":[\"{searchExperiment}\"],\"filter\":\"metrics.m0 > 0.5\",\"order_by\":[\"metrics.m1 DESC\"],\"max_results\":{maxResults}}}";
    latencies.Clear();
    var returned = 0;
    for (var i = 0; i < 30; i++)
    {
        var t = Stopwatch.GetTimestamp();
        var page = await Post("runs/search", body);
        latencies.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
        returned = page.TryGetProperty("runs", out var runs) ? runs.GetArrayLength() : 0;
    }
    (p50, p99) = Percentiles(latencies);
    results.Add(($"search {searchRuns} runs, filter+order, max_results={maxResults} ({returned} returned) p50 / p99 ms", $"{p50:F1} / {p99:F1}"));
}

Console.WriteLine($"## {label}");
foreach (var (name, value) in results)
{
    Console.WriteLine($"| {name} | {value} |");
}
Console.WriteLine("RESULT " + JsonSerializer.Serialize(results.ToDictionary(r => r.Name, r => r.Value)));
