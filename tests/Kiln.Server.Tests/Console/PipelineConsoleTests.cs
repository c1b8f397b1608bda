using Kiln.Core.Pipelines;
using Kiln.Engine.Pipelines;
using Microsoft.Playwright;

namespace Kiln.Server.Tests.Console;

/// <summary>
/// The console's pipeline pages in a real browser against a real server whose embedded worker runs the steps: pipeline
/// nightly (prepare ▶ train-a, train-b ▶ check, on a schedule) stored and run once. The browser reads the list, opens the
/// pipeline and its DAG, runs it with a param that makes check fail (the steps that do not read it are cache hits), follows the run to its end, reads the failed step's
/// log, resumes it, and runs it again with the default: the unchanged steps are cache hits. Screenshots in $KILN_SCREENSHOTS.
/// </summary>
public sealed class PipelineConsoleTests : ConsoleBrowserTest
{
    private const string Yaml = """
        name: nightly
        description: Prepare, train two ways, check.
        params: {who: world}
        on: {schedule: "0 3 * * *"}
        steps:
          prepare: {run: 'echo "preparing for $WHO"', env: {WHO: "${{ params.who }}"}}
          train-a: {run: 'echo a', needs: prepare}
          train-b: {run: 'echo b', needs: prepare}
          check:
            run: 'test "$WHO" != fail || (echo "refused: $WHO"; exit 2)'
            env: {WHO: "${{ params.who }}"}
            needs: [train-a, train-b]
        """;

    private string _firstRun = "";

    protected override async Task SeedAsync()
    {
        var service = Server.Get<PipelineService>();
        await service.ApplyAsync(Yaml, "nightly.yaml", "ana");
        var run = await service.StartAsync(Yaml, "nightly.yaml", new Dictionary<string, string>(), PipelineTriggers.Manual, "seed", false, "ana");
        _firstRun = run.Id;
        Assert.Equal(PipelineStatuses.Succeeded, (await service.WaitAsync(run.Id, TimeSpan.FromMilliseconds(50))).Run.Status); // the server's worker ran it
    }

    private static async Task<string[]> TextsAsync(ILocator locator) => [.. (await locator.AllInnerTextsAsync()).Select(t => t.Trim())];

    [Fact]
    public async Task A_user_reads_the_dag_runs_with_a_param_follows_a_failure_to_its_log_resumes_and_sees_cache_hits()
    {
        var page = await Browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);

        await page.GotoAsync(Server.BaseUri.AbsoluteUri);
        await page.WaitForSelectorAsync("#experiments");
        await page.ClickAsync("header >> text=Pipelines");
        await page.WaitForSelectorAsync("#pipelines");
        Assert.Equal("page", await page.GetAttributeAsync("header a[href='#/pipelines']", "aria-current"));
        var row = page.Locator("#pipelines tr[data-pipeline='nightly']");
        Assert.Equal("4", (await row.Locator("td").Nth(1).InnerTextAsync()).Trim());
        Assert.Equal(["schedule 0 3 * * *"], await TextsAsync(row.Locator(".triggers .chip")));
        Assert.Equal("succeeded", await row.Locator(".badge").GetAttributeAsync("data-status"));
        Assert.Equal(_firstRun, await page.Locator("#runs tbody tr").First.GetAttributeAsync("data-run"));
        await ShotAsync(page, "pipelines");

        // the pipeline: its DAG in stages, the run form with the params' defaults
        await page.ClickAsync("#pipelines >> text=nightly");
        await page.WaitForSelectorAsync("#dag");
        Assert.Equal(["prepare", "train-a", "train-b", "check"], await page.Locator("#dag g.node").EvaluateAllAsync<string[]>("ns => ns.map(n => n.dataset.step)"));
        Assert.Equal(4, await page.Locator("#dag path.edge").CountAsync());
        Assert.Equal("world", await page.InputValueAsync("#run-form input[name='who']"));
        Assert.Contains("needs: [train-a, train-b]", await page.TextContentAsync("#spec pre")); // the file, folded
        await ShotAsync(page, "pipeline");

        // run it with who=fail: the run page follows it to its end; check failed, and its log says why
        await page.FillAsync("#run-form input[name='who']", "fail");
        await page.ClickAsync("#run-pipeline");
        await page.WaitForSelectorAsync("h1 .badge[data-status='failed']", new() { Timeout = 30_000 });
        Assert.Equal(["succeeded", "cached", "cached", "failed"], await page.Locator("#dag g.node").EvaluateAllAsync<string[]>("ns => ns.map(n => n.dataset.status)"));
        Assert.Contains("trigger manual · cause: console", await page.InnerTextAsync("#run-meta"));
        Assert.Contains("who=fail", await page.InnerTextAsync("#run-params"));
        Assert.Contains("step 'check' failed: the command exited with code 2", await page.InnerTextAsync("#run-error"));
        await page.ClickAsync("#dag g.node[data-step='check']");
        await page.WaitForSelectorAsync("#log[data-step='check']");
        Assert.Contains("refused: fail", await page.InnerTextAsync("#log"));
        Assert.True(await page.IsDisabledAsync("#cancel-run"));
        await ShotAsync(page, "pipeline-run-failed");

        // Resume runs check again (attempt 2); the steps that succeeded are kept
        await page.ClickAsync("#resume-run");
        await page.WaitForSelectorAsync("#steps tr[data-step='check'] td:nth-child(3) >> text=2", new() { Timeout = 30_000 });
        await page.WaitForSelectorAsync("h1 .badge[data-status='failed']", new() { Timeout = 30_000 });
        Assert.Equal(["1", "1", "1", "2"], await TextsAsync(page.Locator("#steps tbody td:nth-child(3)")));

        // back to the pipeline: a run with the default who is all cache hits of the first run
        await page.ClickAsync(".crumbs >> text=nightly");
        await page.WaitForSelectorAsync("#run-form");
        await page.ClickAsync("#run-pipeline");
        await page.WaitForSelectorAsync("h1 .badge[data-status='succeeded']", new() { Timeout = 30_000 });
        Assert.Equal(["cached", "cached", "cached", "cached"], await page.Locator("#dag g.node").EvaluateAllAsync<string[]>("ns => ns.map(n => n.dataset.status)"));
        Assert.Equal($"cache hit from run {_firstRun[..8]}", (await page.InnerTextAsync("#steps tr[data-step='prepare'] td.detail")).Trim());
        await ShotAsync(page, "pipeline-run-cached");
        Assert.Empty(errors);
    }
}
