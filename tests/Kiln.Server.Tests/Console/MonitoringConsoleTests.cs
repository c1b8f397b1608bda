using System.Net;
using System.Text;
using System.Text.Json;
using Kiln.Engine.Monitoring;
using Kiln.Engine.Monitoring.Alerts;
using Kiln.Server.Tests.Serving;
using Microsoft.Playwright;

namespace Kiln.Server.Tests.Console;

/// <summary>
/// The console's monitoring pages in a real browser: deployment loan has served 200 applicants whose income moved up; a rule
/// on the drift share fired in a monitoring round. The browser reads the status list and the deployment's page (drift per
/// feature, quality, performance, the alert) and acknowledges the alert.
/// </summary>
public sealed class MonitoringConsoleTests : ConsoleBrowserTest
{
    protected override async Task SeedAsync()
    {
        await LoanDeployment.CreateAsync(Server);
        var rng = new Random(3);
        var regions = new[] { "north", "south", "east" };
        var rows = Enumerable.Range(0, 200).Select(_ => (Income: 0.6 + (rng.NextDouble() * 0.4), Debt: rng.NextDouble(), Region: regions[rng.Next(3)])).ToList();
        foreach (var chunk in rows.Chunk(50))
        {
            using var response = await Server.Http.PostAsync("/deployments/loan/invocations", new StringContent(LoanDeployment.Records(chunk), Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        for (var i = 0; i < 100; i++)
        {
            using var doc = JsonDocument.Parse(await Server.Http.GetStringAsync("/api/kiln/deployments/loan/monitor?window=1h"));
            if (doc.RootElement.GetProperty("rows").GetInt32() == 200)
            {
                break;
            }
            await Task.Delay(50); // the prediction log is written off the request path
        }
        await Server.Get<AlertService>().ApplyAsync("rules:\n  - name: loan-drift\n    deployment: loan\n    when: drift_share >= 0.3\n    severity: critical\n", "ana", prune: false);
        var round = await Server.Get<MonitorRound>().RunAsync(TimeSpan.FromHours(1), TimeSpan.FromMinutes(1));
        Assert.Equal("fired", Assert.Single(Assert.Single(round).Changes).Change);
    }

    private static async Task<string[]> TextsAsync(ILocator locator) => [.. (await locator.AllInnerTextsAsync()).Select(t => t.Trim())];

    [Fact]
    public async Task A_user_sees_the_drifted_feature_and_the_estimated_performance_and_acknowledges_the_alert()
    {
        var page = await Browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);

        await page.GotoAsync(Server.BaseUri.AbsoluteUri);
        await page.WaitForSelectorAsync("#experiments");
        await page.ClickAsync("header >> text=Monitoring");
        await page.WaitForSelectorAsync("#monitoring");
        Assert.Equal("page", await page.GetAttributeAsync("header a[href='#/monitoring']", "aria-current"));
        var loan = page.Locator("#monitoring tr[data-deployment='loan']");
        Assert.Equal("200", (await loan.Locator("td").Nth(1).InnerTextAsync()).Trim());
        Assert.Contains("income", await loan.Locator("td.drifted").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal("1", (await loan.Locator("td.alerts").InnerTextAsync()).Trim());
        await ShotAsync(page, "monitoring");

        await page.ClickAsync("#monitoring >> text=loan");
        await page.WaitForSelectorAsync("#drift");
        Assert.Equal("true", await page.GetAttributeAsync("#drift tr[data-feature='income']", "data-drifted"));
        Assert.Equal("false", await page.GetAttributeAsync("#drift tr[data-feature='debt']", "data-drifted"));
        Assert.Equal(["debt", "income", "region"], (await page.Locator("#quality tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.feature)")).Order());
        var estimated = (await page.InnerTextAsync("#performance tr[data-metric='accuracy'] td.estimated")).Trim();
        Assert.Matches(@"^0\.\d{4} ± 0\.\d{4}$", estimated); // CBPE before any label, with its standard error
        Assert.Equal("–", (await page.InnerTextAsync("#performance tr[data-metric='accuracy'] td.realised")).Trim());
        Assert.StartsWith("Predictions against the model's on its training rows: ks ", (await page.InnerTextAsync("#prediction-drift")).Trim(), StringComparison.Ordinal);
        Assert.Equal(2, await page.Locator("#history figure.chart canvas").CountAsync()); // drift and performance over time (uPlot)
        Assert.NotEqual("0", await page.GetAttributeAsync("#history", "data-points"));
        Assert.Equal("firing", await page.GetAttributeAsync("#alerts tbody tr", "data-state"));
        Assert.Contains("drift_share >= 0.3", await page.InnerTextAsync("#alerts tbody tr"), StringComparison.Ordinal);
        await ShotAsync(page, "monitoring-deployment");

        await page.ClickAsync("#alerts button.ack");
        await page.WaitForSelectorAsync("#alerts tbody tr[data-state='acknowledged']");
        Assert.Contains("acknowledged (console)", await page.InnerTextAsync("#alerts tbody tr"), StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("#alerts button.ack").CountAsync());
        Assert.Empty(errors);
    }
}
