using System.Globalization;
using System.Text;
using Kiln.Core.Tracking;
using Kiln.Engine.Data;
using Kiln.Engine.Tracking;
using Kiln.Testing;
using Microsoft.Playwright;

namespace Kiln.Server.Tests.Console;

/// <summary>
/// The console's dataset pages in a real browser (Playwright driving Debian's Chromium) against a real server seeded through
/// the real services: two versions of a loans table whose incomes moved, a tag, a run that read the newer version and a
/// stored validation. Screenshots of each page are kept in $KILN_SCREENSHOTS.
/// </summary>
public sealed class DatasetConsoleTests : ConsoleBrowserTest
{
    private string _before = "", _after = "", _validation = "", _runId = "";

    /// <summary>300 loan applications; <paramref name="incomeShift"/> moves income only (the same seed keeps every other column's values).</summary>
    private string Loans(string folder, double incomeShift)
    {
        var random = new Random(7);
        var csv = new StringBuilder("id,income,age,grade\n");
        for (var i = 0; i < 300; i++)
        {
            // whole hundreds: incomes repeat, so the inferred schema does not take income for a unique key (keys get no drift rule)
            var income = (Math.Round(500 + (random.NextDouble() * 400)) * 100) + incomeShift;
            csv.Append(CultureInfo.InvariantCulture, $"{i},{income:0},{21 + random.Next(50)},{"ABCD"[random.Next(4)]}\n");
        }
        var dir = Path.Combine(Server.Directory, "seed", folder);
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "loans.csv");
        File.WriteAllText(path, csv.ToString());
        return path;
    }

    /// <summary>Two versions of loans (incomes up by 25,000 in the second), tagged, validated against the first, and read by a training run.</summary>
    protected override async Task SeedAsync()
    {
        var data = Server.Get<DataService>();
        var (before, _, _) = await data.AddAsync("loans", Loans("v1", 0), "first 300 applications", "me");
        await Task.Delay(10); // newest first is by creation time
        var (after, _, _) = await data.AddAsync("loans", Loans("v2", 25_000), "incomes from the new bureau", "me");
        await data.TagAsync("loans", "latest", "stage", "review");
        var (result, _) = await data.ValidateAsync(after, before, null, "me");
        (_before, _after, _validation) = (before.VersionId, after.VersionId, result.Id);

        var tracking = Server.Get<TrackingService>();
        var experiment = await tracking.CreateExperimentAsync("credit", null, []);
        var run = await tracking.CreateRunAsync(experiment, "me", "gbdt-on-new-loans", 1_700_000_000_000, []);
        await tracking.LogInputsAsync(run.Info.RunId,
            [new DatasetInput(new Dataset("loans", after.VersionId, "kiln", $"datasets:/loans/{after.VersionId}", null, null), [new Tag("mlflow.data.context", "training")])]);
        _runId = run.Info.RunId;
    }

    [Fact]
    public async Task A_user_finds_loans_reads_a_versions_statistics_compares_the_two_and_sees_the_failed_validation_on_income()
    {
        var page = await Browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);

        // from any page, the header leads to the datasets
        await page.GotoAsync(Server.BaseUri.AbsoluteUri);
        await page.WaitForSelectorAsync("#experiments");
        await page.ClickAsync("header >> text=Datasets");
        await page.WaitForSelectorAsync("#datasets");
        var row = page.Locator("#datasets tbody tr");
        Assert.Equal(1, await row.CountAsync());
        Assert.Equal(["loans", "2", _after[..19], "incomes from the new bureau"], (await row.Locator("td").AllInnerTextsAsync()).Take(4).Select(t => t.Trim()));
        await ShotAsync(page, "datasets");

        // the dataset: both versions newest first, with their messages and the tag as a chip; the inferred schema; the validation
        await page.ClickAsync("#datasets >> text=loans");
        await page.WaitForSelectorAsync("#versions");
        Assert.Equal([_after, _before], await page.Locator("#versions tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.versionId)"));
        var versions = await page.InnerTextAsync("#versions");
        Assert.Contains("first 300 applications", versions);
        Assert.Contains("incomes from the new bureau", versions);
        Assert.Equal(["stage=review"], await page.Locator("#versions .chip").AllInnerTextsAsync());
        Assert.Contains("income:", await page.InnerTextAsync("#schema pre"));
        Assert.Equal(1, await page.Locator("table.validations tbody tr").CountAsync());
        await ShotAsync(page, "dataset");

        // the latest version: its file, a row and a chart per column, the run that read it, its validation
        await page.ClickAsync($"#versions >> text={_after[..19]}");
        await page.WaitForSelectorAsync("#statistics table.columns");
        Assert.Contains("loans.csv", await page.InnerTextAsync("#files"));
        Assert.Equal(["id", "income", "age", "grade"], await page.Locator("#statistics table.columns tbody th").AllInnerTextsAsync());
        Assert.Contains("300 rows", await page.InnerTextAsync("#statistics h3"));
        var charts = page.Locator("#statistics figure.chart");
        Assert.Equal(4, await charts.CountAsync());
        Assert.Equal(4, await page.Locator("#statistics figure.chart svg rect").EvaluateAllAsync<int>(
            "rects => new Set(rects.map(r => r.closest('figure').querySelector('figcaption').textContent)).size"));
        Assert.Equal(4, await page.Locator("#statistics figure.chart:has-text('grade') svg rect").CountAsync()); // grades A to D
        Assert.Equal($"#/runs/{_runId}", await page.GetAttributeAsync("#lineage >> text=gbdt-on-new-loans", "href"));
        Assert.Equal(1, await page.Locator("table.validations tbody tr").CountAsync());
        await ShotAsync(page, "dataset-version");

        // back to the dataset; compare the older with the newer version: income changed, the other columns did not
        await page.GoBackAsync();
        await page.WaitForSelectorAsync("#compare-from");
        await page.SelectOptionAsync("#compare-from", _before);
        await page.SelectOptionAsync("#compare-to", _after);
        await page.WaitForFunctionAsync("() => location.hash.includes('from=')"); // the picked pair is kept in the URL
        await page.ClickAsync("#compare");
        await page.WaitForSelectorAsync("#changes");
        Assert.Equal("changed", (await page.InnerTextAsync("#changes tbody tr[data-path='loans.csv'] .badge")).Trim());
        Assert.Equal("changed", (await page.InnerTextAsync("table.columns tr[data-column='income'] td:nth-child(2)")).Trim());
        Assert.Equal(["income"], await page.Locator("table.columns tr.differs th").AllInnerTextsAsync());
        Assert.Contains("(js)", await page.InnerTextAsync("table.columns tr[data-column='income']"));
        await ShotAsync(page, "dataset-diff");

        // the validation: failed on a distribution shift of income, nothing on age or grade; income's chart outlined as shifted
        await page.GoBackAsync();
        await page.ClickAsync($"table.validations >> text={_validation[..12]}");
        await page.WaitForSelectorAsync("#verdict");
        Assert.Equal("FAILED", await page.InnerTextAsync("#verdict"));
        Assert.Contains("1 error(s), 0 warning(s)", await page.InnerTextAsync("#summary"));
        Assert.Equal(1, await page.Locator("#anomalies tbody tr[data-type='distribution_shift'][data-column='income']").CountAsync());
        Assert.Equal(0, await page.Locator("#anomalies tbody tr[data-column='age'], #anomalies tbody tr[data-column='grade']").CountAsync());
        Assert.Equal(4, await page.Locator("#distributions figure.chart").CountAsync());
        Assert.Equal(["income"], await page.Locator("#distributions figure.shifted").EvaluateAllAsync<string[]>("fs => fs.map(f => f.dataset.column)"));
        Assert.True(await page.Locator("#distributions figure[data-column='age'] svg rect").CountAsync() > 2);
        var report = await page.GetAttributeAsync("#report", "href");
        Assert.Equal($"/api/kiln/datasets/loans/validations/{_validation}/report", report);
        var html = await page.APIRequest.GetAsync(Server.BaseUri.AbsoluteUri.TrimEnd('/') + report);
        Assert.Equal(200, html.Status);
        Assert.Contains("FAILED", await html.TextAsync());
        await ShotAsync(page, "dataset-validation");

        // a dataset that does not exist: the server's message
        await page.GotoAsync(Server.BaseUri.AbsoluteUri + "#/datasets/nope");
        await page.WaitForSelectorAsync(".error");
        Assert.Contains("No dataset named 'nope'", await page.InnerTextAsync(".error"));
        Assert.Empty(errors);
    }

    [Fact]
    public async Task A_dataset_without_tables_or_schema_says_what_to_run()
    {
        var dir = Path.Combine(Server.Directory, "seed", "notes");
        Directory.CreateDirectory(dir);
        await File.WriteAllTextAsync(Path.Combine(dir, "README.txt"), "labelling guide\n");
        await Server.Get<DataService>().AddAsync("notes", dir, "the guide", "me");

        var page = await Browser.NewPageAsync();
        await page.GotoAsync(Server.BaseUri.AbsoluteUri + "#/datasets/notes");
        await page.WaitForSelectorAsync("#versions");
        Assert.Equal("No schema yet: kiln data schema infer notes --save.", await page.InnerTextAsync("#schema"));
        Assert.Contains("kiln data validate notes", await page.InnerTextAsync("p.validations"));
        await page.ClickAsync("#versions tbody a");
        await page.WaitForSelectorAsync("#statistics");
        Assert.Contains("No CSV or Parquet tables", await page.InnerTextAsync("#statistics"));
        Assert.Contains("No runs read it yet", await page.InnerTextAsync("#lineage"));
        Assert.Equal("page", await page.GetAttributeAsync("header a[href='#/datasets']", "aria-current")); // the header marks the section
    }
}
