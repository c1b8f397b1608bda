using Kiln.Core.Tracking;
using Kiln.Engine.Tracking;
using Kiln.Testing;
using Microsoft.Playwright;

namespace Kiln.Server.Tests.Console;

/// <summary>
/// The web console in a real browser (Playwright driving Debian's Chromium, which ./test.sh installs) against a real
/// server: open an experiment, filter, sort, open a run and its chart, compare three runs, rename a run. Screenshots of
/// the main pages are kept in $KILN_SCREENSHOTS (test.sh: the results folder).
/// </summary>
public sealed class ConsoleTests : ConsoleBrowserTest
{
    private readonly List<string> _trials = [];

    /// <summary>Last night's tune: a parent run and six trials with a depth param, an AUC and a 50-step loss curve each.</summary>
    protected override async Task SeedAsync()
    {
        var tracking = Server.Get<TrackingService>();
        var experiment = await tracking.CreateExperimentAsync("nightly-tune", null, []);
        var parent = await tracking.CreateRunAsync(experiment, "me", "tune-gbdt", 1_700_000_000_000, []);
        for (var i = 0; i < 6; i++)
        {
            var run = await tracking.CreateRunAsync(experiment, "me", $"trial-{i}", 1_700_000_000_000 + i, [new Tag("mlflow.parentRunId", parent.Info.RunId)]);
            var auc = 0.80 + (i * 0.01);
            var metrics = Enumerable.Range(1, 50).Select(s => new Metric("train_loss", 1.0 / (s + i), 1_700_000_000_000 + s, s))
                .Append(new Metric("valid_roc_auc", auc, 1_700_000_000_100, 0)).ToList();
            await tracking.LogBatchAsync(run.Info.RunId, metrics, [new Param("max_depth", (3 + (i % 3)).ToString(System.Globalization.CultureInfo.InvariantCulture))], []);
            await tracking.UpdateRunAsync(run.Info.RunId, "FINISHED", 1_700_000_100_000 + i, null);
            _trials.Add(run.Info.RunId);
        }
        var (store, root, _) = await tracking.RunArtifactsAsync(_trials[5]);
        await store.WriteAsync(root + "/charts/roc_curve.svg", new MemoryStream("""<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><circle cx="20" cy="20" r="15"/></svg>"""u8.ToArray()));
        await store.WriteAsync(root + "/scored.csv", new MemoryStream("applicant,\"p, with comma\"\n00042,0.91\n00043,0.12\n"u8.ToArray()));
    }

    [Fact]
    public async Task A_newcomer_finds_the_tune_sorts_filters_opens_a_run_compares_three_and_renames_one()
    {
        var page = await Browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);

        await page.GotoAsync(Server.BaseUri.AbsoluteUri);
        await page.WaitForSelectorAsync("#experiments");
        await ShotAsync(page, "experiments");
        await page.ClickAsync("text=nightly-tune");
        await page.WaitForSelectorAsync("#runs");
        Assert.Equal(7, await page.Locator("#runs tbody tr").CountAsync());
        Assert.Equal(6, await page.Locator("#runs tbody tr.child").CountAsync()); // trials nested under their tune
        await ShotAsync(page, "runs");

        // sort by the AUC column, best first: the URL carries the order
        await page.ClickAsync("a.sort[data-column='metrics.valid_roc_auc']");
        await page.WaitForFunctionAsync("() => location.hash.includes('order=metrics.valid_roc_auc')");
        await page.WaitForSelectorAsync("th[aria-sort='descending']");
        // trials stay under their tune, in the new order
        Assert.Equal("trial-5", await page.Locator("#runs tbody tr.child td:nth-child(2) a").First.InnerTextAsync());
        Assert.Equal("trial-0", await page.Locator("#runs tbody tr.child td:nth-child(2) a").Last.InnerTextAsync());

        // MLflow's filter grammar in the search box
        await page.FillAsync("#filter", "params.max_depth = '3'");
        await page.PressAsync("#filter", "Enter");
        await page.WaitForFunctionAsync("() => document.querySelectorAll('#runs tbody tr').length === 2");
        await page.FillAsync("#filter", "metrics.nope >>> 1");
        await page.PressAsync("#filter", "Enter");
        await page.WaitForSelectorAsync(".error");

        // a run: its chart is drawn from the server's downsampled history, every one of its 50 points
        await page.GotoAsync(Server.BaseUri.AbsoluteUri + $"#/runs/{_trials[5]}");
        await page.WaitForSelectorAsync("figure.chart canvas");
        Assert.Equal("50", await page.Locator("figure.chart").First.GetAttributeAsync("data-points"));
        Assert.Contains("max_depth", await page.Locator("#params").InnerTextAsync());
        // chart settings are part of the URL: a shared link shows the chart the same way
        await page.Locator("figure.chart input[aria-label='log scale']").First.CheckAsync();
        await page.WaitForFunctionAsync("() => location.hash.includes('log=1')");
        var shared = page.Url;
        var colleague = await Browser.NewPageAsync();
        await colleague.GotoAsync(shared);
        await colleague.WaitForSelectorAsync("figure.chart canvas");
        Assert.True(await colleague.Locator("figure.chart input[aria-label='log scale']").First.IsCheckedAsync());
        await colleague.CloseAsync();
        // the artifact browser: a folder opens in place, an SVG chart previews as an image, a CSV as a table
        await page.ClickAsync("#artifacts >> text=charts/");
        await page.ClickAsync("#artifacts >> text=roc_curve.svg");
        await page.WaitForSelectorAsync("#artifacts img.artifact-image");
        await page.ClickAsync("#artifacts >> text=scored.csv");
        await page.WaitForSelectorAsync("#artifacts table.csv");
        Assert.Equal(["applicant", "p, with comma"], await page.Locator("#artifacts table.csv th").AllInnerTextsAsync());
        Assert.Equal(2, await page.Locator("#artifacts table.csv tbody tr").CountAsync());
        await ShotAsync(page, "run");

        // three runs compared: overlaid curves and a table with one column per run
        await page.GotoAsync(Server.BaseUri.AbsoluteUri + $"#/compare?runs={string.Join(",", _trials.Take(3))}&metric=train_loss");
        await page.WaitForSelectorAsync("#compare-table");
        await page.WaitForSelectorAsync("figure.chart canvas");
        Assert.Equal("150", await page.Locator("figure.chart:has(.plot)").GetAttributeAsync("data-points"));
        Assert.Equal(4, await page.Locator("#compare-table thead th").CountAsync());
        Assert.True(await page.Locator("#compare-table tr.differs").CountAsync() > 0);
        // params against the AUC, one line per run; a scatter of two chosen values, one point per run
        Assert.Equal("3", await page.Locator("figure:has(svg.parallel)").GetAttributeAsync("data-lines"));
        Assert.Equal("3", await page.Locator("figure:has(svg.scatter)").GetAttributeAsync("data-points"));
        await page.SelectOptionAsync("#scatter-y", "metrics.train_loss");
        await page.WaitForFunctionAsync("() => location.hash.includes('y=metrics.train_loss')");
        await ShotAsync(page, "compare");

        // rename through the REST API: the new name is stored
        await page.GotoAsync(Server.BaseUri.AbsoluteUri + $"#/runs/{_trials[0]}");
        await page.ClickAsync("#rename");
        await page.FillAsync("#run-name-input", "best-so-far");
        await page.ClickAsync("#save-name");
        await page.WaitForFunctionAsync("() => document.querySelector('#run-name')?.textContent === 'best-so-far'");
        Assert.Equal("best-so-far", (await Server.Get<TrackingService>().GetRunAsync(_trials[0])).Info.RunName);

        // a tag, the description, delete and restore: each through the API, each stored
        await page.FillAsync("#tag-key", "owner");
        await page.FillAsync("#tag-value", "risk-team");
        await page.ClickAsync("#set-tag");
        await page.WaitForSelectorAsync("#tags >> text=risk-team");
        await page.ClickAsync("#edit-note");
        await page.FillAsync("#note-input", "Best AUC of the night.");
        await page.ClickAsync("#save-note");
        await page.WaitForSelectorAsync("#note >> text=Best AUC of the night.");
        await page.ClickAsync("#delete-run");
        await page.WaitForSelectorAsync("#restore-run");
        var stored = await Server.Get<TrackingService>().GetRunAsync(_trials[0]);
        Assert.Equal(LifecycleStage.Deleted, stored.Info.LifecycleStage);
        Assert.Contains(stored.Data.Tags, t => t.Key == "owner" && t.Value == "risk-team");
        Assert.Contains(stored.Data.Tags, t => t.Key == "mlflow.note.content" && t.Value == "Best AUC of the night.");
        await page.ClickAsync("#restore-run");
        await page.WaitForSelectorAsync("#delete-run");
        Assert.Equal(LifecycleStage.Active, (await Server.Get<TrackingService>().GetRunAsync(_trials[0])).Info.LifecycleStage);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Runs_group_by_a_param_the_keyboard_moves_between_runs_and_experiments_delete_and_restore()
    {
        var page = await Browser.NewPageAsync();
        var experimentId = (await Server.Get<TrackingService>().GetExperimentByNameAsync("nightly-tune")).ExperimentId;
        await page.GotoAsync(Server.BaseUri.AbsoluteUri + $"#/experiments/{experimentId}?group=params.max_depth");
        await page.WaitForSelectorAsync("#runs");
        // depths 3, 4, 5 (two trials each) and the tune itself, which has no depth
        Assert.Equal(["params.max_depth = 3 (2)", "params.max_depth = 4 (2)", "params.max_depth = 5 (2)", "params.max_depth = (none) (1)"],
            (await page.Locator("#runs tr.group").AllInnerTextsAsync()).Select(t => t.Trim()).Order(StringComparer.Ordinal).ToList() is var groups
            ? [.. groups.Where(g => !g.Contains("none", StringComparison.Ordinal)), .. groups.Where(g => g.Contains("none", StringComparison.Ordinal))] : []);

        // a selection is kept in the URL and taken to the compare page
        await page.Locator("#runs tbody input[type=checkbox]").Nth(1).CheckAsync();
        await page.Locator("#runs tbody input[type=checkbox]").Nth(2).CheckAsync();
        await page.WaitForFunctionAsync("() => location.hash.includes('selected=')");
        Assert.Equal("Compare 2 selected", await page.InnerTextAsync("#compare"));

        await page.Keyboard.PressAsync("/");
        Assert.Equal("filter", await page.EvaluateAsync<string>("() => document.activeElement.id"));
        await page.Locator("#runs tbody td:nth-child(2) a").First.FocusAsync();
        await page.Keyboard.PressAsync("j");
        var second = await page.Locator("#runs tbody td:nth-child(2) a").Nth(1).InnerTextAsync();
        Assert.Equal(second, await page.EvaluateAsync<string>("() => document.activeElement.textContent"));
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForSelectorAsync("#run-name");

        await page.GotoAsync(Server.BaseUri.AbsoluteUri + "#/");
        await page.ClickAsync($"tr[data-experiment-id='{experimentId}'] button.delete");
        await page.WaitForFunctionAsync($"() => !document.querySelector(\"tr[data-experiment-id='{experimentId}']\")");
        Assert.Equal(LifecycleStage.Deleted, (await Server.Get<TrackingService>().GetExperimentAsync(experimentId)).LifecycleStage);
        await page.ClickAsync("#toggle-deleted");
        await page.ClickAsync($"tr[data-experiment-id='{experimentId}'] button.restore");
        await page.WaitForFunctionAsync($"() => !document.querySelector(\"tr[data-experiment-id='{experimentId}']\")");
        Assert.Equal(LifecycleStage.Active, (await Server.Get<TrackingService>().GetExperimentAsync(experimentId)).LifecycleStage);
    }

    [Fact]
    public async Task A_page_of_hundreds_of_runs_renders_only_the_rows_in_view_and_scrolls_to_the_last()
    {
        var tracking = Server.Get<TrackingService>();
        var experiment = await tracking.CreateExperimentAsync("wide-search", null, []);
        for (var i = 0; i < 300; i++)
        {
            var run = await tracking.CreateRunAsync(experiment, "me", $"run-{i:D3}", 1_700_000_000_000 + i, []);
            await tracking.LogBatchAsync(run.Info.RunId, [new Metric("auc", i / 300.0, 1, 0)], [], []);
        }
        var page = await Browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });
        await page.GotoAsync(Server.BaseUri.AbsoluteUri + $"#/experiments/{experiment}?size=500&order=metrics.auc%20DESC");
        await page.WaitForSelectorAsync("#runs tbody tr[data-run-id]");
        Assert.Contains("300 run(s) on this page", await page.InnerTextAsync(".pager"));
        var rendered = await page.Locator("#runs tbody tr[data-run-id]").CountAsync();
        Assert.InRange(rendered, 20, 150); // a window of the 300, not all of them
        Assert.Equal("run-299", await page.Locator("#runs tbody tr[data-run-id] td:nth-child(2) a").First.InnerTextAsync());
        await page.EvalOnSelectorAsync(".scroller", "el => el.scrollTop = el.scrollHeight");
        await page.WaitForSelectorAsync("#runs >> text=run-000");
        Assert.InRange(await page.Locator("#runs tbody tr[data-run-id]").CountAsync(), 20, 150);
    }
}
