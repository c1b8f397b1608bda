using System.Diagnostics;
using System.Globalization;
using Kiln.Core.Tracking;
using Kiln.Engine.Tracking;
using Kiln.Hosting;
using Kiln.Server;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

// The console at scale, measured in Chromium: an experiment of RUNS runs × 20 metrics × 10 params, and one run with a
// metric of POINTS points. Times (median of ROUNDS) to the first render of the runs table, to the table re-sorted by a
// metric (interactive), and to a drawn chart of the big metric (downsampled on the server).
// Usage: dotnet run -c Release --project bench/Kiln.Bench.Console -- [RUNS=10000] [POINTS=1000000] [ROUNDS=5]
var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000;
var points = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1_000_000;
var rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 5;
var home = Directory.CreateTempSubdirectory("kiln-console-bench-").FullName;
try
{
    var settings = KilnSettings.Resolve("sqlite:///" + Path.Combine(home, "kiln.db"), Path.Combine(home, "artifacts"), home);
    await using var app = KilnWebHost.Build(settings, new ServerOptions("127.0.0.1", 0));
    await app.StartAsync();
    var baseUri = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/";
    var tracking = app.Services.GetRequiredService<TrackingService>();

    var seed = Stopwatch.StartNew();
    var experiment = await tracking.CreateExperimentAsync("scale", null, []);
    var rng = new Random(1);
    for (var r = 0; r < runs; r++)
    {
        var run = await tracking.CreateRunAsync(experiment, "bench", $"run-{r}", 1_700_000_000_000 + r, []);
        await tracking.LogBatchAsync(run.Info.RunId,
            [.. Enumerable.Range(0, 20).Select(m => new Metric($"metric_{m}", rng.NextDouble(), 1_700_000_000_000, 0))],
            [.. Enumerable.Range(0, 10).Select(p => new Param($"param_{p}", rng.Next(100).ToString(CultureInfo.InvariantCulture)))], []);
    }
    var big = await tracking.CreateRunAsync(experiment, "bench", "long-run", 1_700_000_000_000, []);
    for (var start = 0; start < points; start += 1000)
    {
        await tracking.LogBatchAsync(big.Info.RunId,
            [.. Enumerable.Range(start, Math.Min(1000, points - start)).Select(s => new Metric("loss", 1.0 / (s + 1) + (rng.NextDouble() * 0.001), 1_700_000_000_000 + s, s))], [], []);
    }
    Console.WriteLine($"seeded {runs:N0} runs x 20 metrics x 10 params and one metric of {points:N0} points in {seed.Elapsed.TotalSeconds:F1} s");

    using var playwright = await Playwright.CreateAsync();
    await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ["--no-sandbox"] });
    var (firstRender, interactive, chart, wide) = (new List<double>(), new List<double>(), new List<double>(), new List<double>());
    for (var round = 0; round <= rounds; round++)
    {
        // a fresh page each round: nothing cached but what a returning user's browser would cache (hashed assets)
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });
        var clock = Stopwatch.StartNew();
        await page.GotoAsync(baseUri + $"#/experiments/{experiment}");
        await page.WaitForSelectorAsync("#runs tbody tr");
        var rendered = clock.Elapsed.TotalMilliseconds;
        await page.ClickAsync("a.sort[data-column='metrics.metric_1']");
        await page.WaitForSelectorAsync("th[aria-sort='descending']");
        var sorted = clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        await page.GotoAsync(baseUri + $"#/runs/{big.Info.RunId}");
        await page.WaitForSelectorAsync("figure.chart canvas");
        var drawn = clock.Elapsed.TotalMilliseconds;
        var shown = await page.Locator("figure.chart").First.GetAttributeAsync("data-points");
        clock.Restart();
        await page.GotoAsync(baseUri + $"#/experiments/{experiment}?size=1000");
        await page.WaitForSelectorAsync("#runs tbody tr[data-run-id]");
        await page.WaitForFunctionAsync("() => document.querySelector('.pager')?.textContent.includes('1000 run(s)')");
        var widePage = clock.Elapsed.TotalMilliseconds;
        await page.CloseAsync();
        if (round == 0)
        {
            Console.WriteLine($"warm-up round: table {rendered:F0} ms, sorted {sorted:F0} ms, chart {drawn:F0} ms ({shown} points drawn of {points:N0})");
            continue; // JIT and the database's first reads
        }
        (firstRender, interactive, chart, wide) = ([.. firstRender, rendered], [.. interactive, sorted], [.. chart, drawn], [.. wide, widePage]);
    }
    static double Median(List<double> xs) => xs.Order().ElementAt(xs.Count / 2);
    Console.WriteLine($"| runs table, first render (page load to {Math.Min(100, runs)} rows) | {Median(firstRender):F0} ms | {string.Join(", ", firstRender.Select(x => x.ToString("F0", CultureInfo.InvariantCulture)))} |");
    Console.WriteLine($"| runs table, interactive (first render + re-sorted on the server by a metric) | {Median(interactive):F0} ms | {string.Join(", ", interactive.Select(x => x.ToString("F0", CultureInfo.InvariantCulture)))} |");
    Console.WriteLine($"| chart of a {points:N0}-point metric (run page load to drawn, downsampled on the server) | {Median(chart):F0} ms | {string.Join(", ", chart.Select(x => x.ToString("F0", CultureInfo.InvariantCulture)))} |");
    Console.WriteLine($"| runs table, a page of 1,000 runs (virtualised: only the rows in view are drawn) | {Median(wide):F0} ms | {string.Join(", ", wide.Select(x => x.ToString("F0", CultureInfo.InvariantCulture)))} |");
    await app.StopAsync();
}
finally
{
    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    Directory.Delete(home, recursive: true);
}
