using System.Net;
using System.Text;
using System.Text.Json;
using Kiln.Core.Registry;
using Kiln.Engine.Registry;
using Kiln.Engine.Serving;
using Kiln.Engine.Training;
using Kiln.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Kiln.Server.Tests.Console;

/// <summary>
/// The console's deployment pages in a real browser against a real server beating every 300 ms: loans v1 and v2 trained and
/// registered; deployment loan at version 2 (champion v1 90%, canary v2 10%, a shadow) after a version 1 that sent everything
/// to the champion alias; some scoring traffic, two requests refused. The browser reads the list and the deployment (routes,
/// weights, versions served, live traffic, replicas, history), rolls back after confirming, and sees the restored routes.
/// Screenshots are kept in $KILN_SCREENSHOTS.
/// </summary>
public sealed class DeploymentConsoleTests : ConsoleBrowserTest
{
    protected override void Configure(IServiceCollection services) => services.AddFastHeartbeat(TimeSpan.FromMilliseconds(300));

    protected override async Task SeedAsync()
    {
        var train = LoanData.Write(Server.Directory, "train.csv", 400, 21);
        var registry = Server.Get<RegistryService>();
        await registry.CreateModelAsync("loans", null, []);
        foreach (var rounds in new[] { "2", "20" })
        {
            var run = await Server.Get<TrainingSession>().RunAsync(new TrainRequest(train, "approved", "gbdt", new Dictionary<string, string> { ["rounds"] = rounds }));
            await registry.CreateVersionAsync("loans", $"runs:/{run.RunId}/model", null, null, null, [], "ana");
        }
        await registry.SetAliasAsync("loans", "champion", "1", new AliasChange("ana", "set", null));
        var deployments = Server.Get<DeploymentService>();
        await deployments.CreateAsync("loan", [new("champion", "models:/loans@champion", 100, false)], "ana");
        await deployments.UpdateAsync("loan", [new("champion", "models:/loans/1", 90, false), new("canary", "models:/loans/2", 10, false), new("next", "models:/loans/2", 0, true)], "bo");
        await deployments.CreateAsync("fraud", [new("champion", "models:/loans@champion", 100, false)], "cy");

        foreach (var (route, count, body) in new[] { ("champion", 15, Row), ("canary", 5, Row), ("champion", 2, """{"dataframe_records": [{"region": "north"}]}""") })
        {
            for (var i = 0; i < count; i++)
            {
                await ScoreAsync(route, body);
            }
        }
        for (var tries = 0; tries < 100 && await RequestsAsync() < 22; tries++) // until a heartbeat carries them all
        {
            await Task.Delay(100);
        }
    }

    private const string Row = """{"dataframe_records": [{"income": 0.9, "debt": 0.1, "region": "north"}]}""";

    private async Task<HttpStatusCode> ScoreAsync(string? route, string body = Row)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/deployments/loan/invocations") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (route is not null)
        {
            request.Headers.Add("Kiln-Route", route);
        }
        using var response = await Server.Http.SendAsync(request);
        return response.StatusCode;
    }

    private async Task<JsonElement> GetAsync(string path)
    {
        using var doc = JsonDocument.Parse(await Server.Http.GetStringAsync(path));
        return doc.RootElement.Clone();
    }

    private async Task<long> RequestsAsync() =>
        (await GetAsync("/api/kiln/deployments/loan/replicas")).GetProperty("routes").EnumerateArray().Sum(r => r.GetProperty("requests").GetInt64());

    private static async Task<string[]> TextsAsync(ILocator locator) => [.. (await locator.AllInnerTextsAsync()).Select(t => t.Trim())];

    [Fact]
    public async Task A_user_reads_routes_weights_versions_and_live_traffic_then_rolls_the_deployment_back_after_confirming()
    {
        var page = await Browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        var dialogs = new List<string>();
        page.Dialog += async (_, dialog) =>
        {
            dialogs.Add(dialog.Message);
            await dialog.AcceptAsync();
        };

        // the list: both deployments, loan's routes with their shares and its shadow, one live replica, its traffic and errors
        await page.GotoAsync(Server.BaseUri.AbsoluteUri);
        await page.WaitForSelectorAsync("#experiments");
        await page.ClickAsync("header >> text=Deployments");
        await page.WaitForSelectorAsync("#deployments");
        Assert.Equal("page", await page.GetAttributeAsync("header a[href='#/deployments']", "aria-current"));
        Assert.Equal(["fraud", "loan"], await page.Locator("#deployments tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.deployment)"));
        var loan = page.Locator("#deployments tr[data-deployment='loan']");
        Assert.Equal(["champion 90%", "canary 10%", "next shadow"], await TextsAsync(loan.Locator(".chip")));
        Assert.Equal("true", await loan.Locator(".chip[data-route='next']").GetAttributeAsync("data-shadow"));
        Assert.Equal(("v2", "1 live"), ((await loan.Locator("td").Nth(1).InnerTextAsync()).Trim(), (await loan.Locator("td.replicas").InnerTextAsync()).Trim()));
        Assert.True(double.Parse(await loan.Locator("td.rate").InnerTextAsync(), System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Equal("2", (await loan.Locator("td.errors").InnerTextAsync()).Trim());
        Assert.Equal("0", (await page.Locator("#deployments tr[data-deployment='fraud'] td.errors").InnerTextAsync()).Trim());
        await ShotAsync(page, "deployments");

        // the deployment: routes with weights, the version each serves, live traffic, the replica, the history
        await page.ClickAsync("#deployments >> text=loan");
        await page.WaitForSelectorAsync("#routes");
        Assert.Equal(["champion", "canary", "next"], await page.Locator("#routes tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.route)"));
        Assert.Equal(["90", "10", "—"], await TextsAsync(page.Locator("#routes tbody td.weight")));
        Assert.Equal(["90%", "10%", "shadow"], await TextsAsync(page.Locator("#routes tbody td.share")));
        Assert.Equal("loans v1", (await page.InnerTextAsync("#routes tr[data-route='champion'] td.serving")).Trim());
        Assert.Equal("loans v2", (await page.InnerTextAsync("#routes tr[data-route='canary'] td.serving")).Trim());
        Assert.Equal("#/models/loans/versions/2", await page.GetAttributeAsync("#routes tr[data-route='canary'] td.serving a", "href"));
        Assert.Equal("kiln", (await page.InnerTextAsync("#routes tr[data-route='champion'] .chip.flavor")).Trim()); // the flavor the server loaded
        Assert.Equal(["17", "5", "0"], await TextsAsync(page.Locator("#routes tbody td.requests")));
        Assert.Equal("2", (await page.InnerTextAsync("#routes tr[data-route='champion'] td.errors")).Trim());
        Assert.EndsWith("ms", (await page.InnerTextAsync("#routes tr[data-route='champion'] td.p50")).Trim());
        Assert.EndsWith("ms", (await page.InnerTextAsync("#routes tr[data-route='champion'] td.p95")).Trim());

        var replica = page.Locator("#replicas tbody tr");
        Assert.Equal(1, await replica.CountAsync());
        Assert.Equal("live", await replica.GetAttributeAsync("data-status"));
        Assert.EndsWith($":{Server.BaseUri.Port}/{Environment.ProcessId}", await replica.GetAttributeAsync("data-replica"));
        Assert.Equal(["champion: loans v1", "canary: loans v2", "next: loans v2"], await TextsAsync(replica.Locator(".chip")));

        Assert.Equal(["2", "1"], await page.Locator("#history tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.version)"));
        Assert.Contains("champion=models:/loans@champion 100%", await page.InnerTextAsync("#history tr[data-version='1']"));
        // the page follows the heartbeats: the chart gathers a sample per refresh
        await page.WaitForSelectorAsync("#rate-chart[data-samples='3']", new() { Timeout = 15_000 });
        Assert.Equal(2, await page.Locator("#rate-chart svg path").CountAsync()); // one line per answering route
        await ShotAsync(page, "deployment");

        // Rollback asks first, naming what it restores; then the server makes version 3 with version 1's routes
        await page.ClickAsync("#rollback");
        await page.WaitForSelectorAsync("#action-result .notice");
        Assert.Equal("Roll back loan from version 2 to the routes of version 1 (champion=models:/loans@champion 100%)?", dialogs.Single());
        Assert.Equal("loan: version 3 restores the routes of version 1.", (await page.InnerTextAsync("#action-result .notice")).Trim());
        var stored = (await GetAsync("/api/kiln/deployments/loan")).GetProperty("deployment");
        Assert.Equal(3, stored.GetProperty("version").GetInt32());
        var route = Assert.Single(stored.GetProperty("routes").EnumerateArray());
        Assert.Equal(("champion", "models:/loans@champion", 100), (route.GetProperty("name").GetString(), route.GetProperty("model").GetString(), route.GetProperty("weight").GetInt32()));
        Assert.Equal(["champion"], await page.Locator("#routes tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.route)"));
        Assert.Equal(["3", "2", "1"], await page.Locator("#history tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.version)"));

        // the restored route's alias is loaded on its first request, and the page shows the version it serves within a refresh or two
        Assert.Equal(HttpStatusCode.OK, await ScoreAsync(null));
        await page.WaitForSelectorAsync("#routes tr[data-route='champion'] td.serving a.chip[data-version='1']", new() { Timeout = 15_000 });
        await ShotAsync(page, "deployment-rolled-back");

        // a deployment with one version has nothing to roll back to
        await page.GotoAsync(Server.BaseUri.AbsoluteUri + "#/deployments/fraud");
        await page.WaitForSelectorAsync("h1:text-is('fraud')"); // a hash change: loan's page (and its #routes) stays until fraud's is drawn
        await page.WaitForSelectorAsync("#routes");
        Assert.True(await page.IsDisabledAsync("#rollback"));
        Assert.Single(dialogs);
        Assert.Empty(errors);
    }
}
