using System.Globalization;
using Kiln.Core.Data;
using Kiln.Engine.Data;
using Kiln.Engine.Evaluation;
using Kiln.Engine.Registry;
using Kiln.Engine.Registry.Gates;
using Kiln.Engine.Training;
using Kiln.Testing;
using Microsoft.Playwright;

namespace Kiln.Server.Tests.Console;

/// <summary>
/// The console's registry pages in a real browser (Playwright driving Debian's Chromium) against a real server seeded through
/// the real services: a validated dataset version, two trained models registered as loans v1 (weak) and v2 (strong) and v1's
/// run again as v3, an evaluation, a gate, verdicts (v1 and v2 pass, v3 fails against the champion) and v1 promoted to
/// champion. The browser then promotes, is refused, rolls back, follows the lineage and verifies the audit chain.
/// Screenshots of each page are kept in $KILN_SCREENSHOTS.
/// </summary>
public sealed class RegistryConsoleTests : ConsoleBrowserTest
{
    private const string Spec = """
        alias: champion
        slices: [region]
        checks:
          - roc_auc >= 0.55
          - roc_auc >= champion + 0.001
        """;

    private string _weakRun = "", _strongRun = "", _dataVersion = "";
    private int _validationErrors;
    private GateOutcome _v1Gate = null!, _v2Gate = null!, _v3Gate = null!;

    protected override async Task SeedAsync()
    {
        var dir = Path.Combine(Server.Directory, "seed");
        Directory.CreateDirectory(dir);
        var data = Server.Get<DataService>();
        var (version, _, _) = await data.AddAsync("applicants", LoanData.Write(dir, "train.csv", 1500, 11), "january applications", "ana");
        var (validation, _) = await data.ValidateAsync(version, version, null, "ana"); // infers and saves the schema, then checks
        (_dataVersion, _validationErrors) = (version.VersionId, validation.Errors);
        var (file, folder, source) = await data.MaterializeAsync("datasets:/applicants@latest");
        var training = Server.Get<TrainingSession>();
        TrainRequest Train(int rounds, string runName) =>
            new(file, "approved", "gbdt", new Dictionary<string, string> { ["rounds"] = rounds.ToString(CultureInfo.InvariantCulture) }, Experiment: "credit", RunName: runName, DataSource: source);
        _weakRun = (await training.RunAsync(Train(1, "gbdt-1-round"))).RunId;
        _strongRun = (await training.RunAsync(Train(40, "gbdt-40-rounds"))).RunId;
        Directory.Delete(folder, recursive: true);

        var registry = Server.Get<RegistryService>();
        await registry.CreateModelAsync("loans", "Approves or declines consumer loans. Not for business lending.", []);
        await registry.CreateVersionAsync("loans", $"runs:/{_weakRun}/model", null, null, "one round", [], "ana");
        await registry.CreateVersionAsync("loans", $"runs:/{_strongRun}/model", null, null, "forty rounds", [], "bo");
        await registry.CreateVersionAsync("loans", $"runs:/{_weakRun}/model", null, null, "one round, registered again", [], "cy");

        var holdout = LoanData.Write(dir, "holdout.csv", 1500, 12);
        await Server.Get<EvaluationService>().EvaluateAsync(new EvaluationRequest("models:/loans/2", holdout, null, ["region"]));
        var gates = Server.Get<GateService>();
        await gates.SaveSpecAsync("loans", Spec, "ana");
        _v1Gate = await gates.GateAsync("loans", 1, holdout, null, null, "ana"); // no champion yet: the absolute check decides
        Assert.True(_v1Gate.Verdict.Passed);
        await gates.PromoteAsync("loans", 1, "champion", "ana", force: false, reason: null);
        _v2Gate = await gates.GateAsync("loans", 2, holdout, null, null, "bo");
        Assert.True(_v2Gate.Verdict.Passed, string.Join("; ", _v2Gate.Checks.Select(c => $"{c.Check}: {c.Candidate} vs {c.Holder}")));
        _v3Gate = await gates.GateAsync("loans", 3, holdout, null, null, "cy"); // the champion's own model again: no better than it
        Assert.False(_v3Gate.Verdict.Passed);
    }

    private static double Number(string text) => double.Parse(text.Trim(), CultureInfo.InvariantCulture);

    private async Task<int> ChampionAsync() => (await Server.Get<RegistryService>().GetVersionByAliasAsync("loans", "champion")).Version;

    [Fact]
    public async Task A_user_reads_the_model_is_refused_a_failed_version_promotes_rolls_back_follows_the_lineage_and_verifies_the_audit_log()
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

        // the header leads to the models: loans, its newest version, champion on v1, its description
        await page.GotoAsync(Server.BaseUri.AbsoluteUri);
        await page.WaitForSelectorAsync("#experiments");
        await page.ClickAsync("header >> text=Models");
        await page.WaitForSelectorAsync("#models");
        var row = page.Locator("#models tbody tr");
        Assert.Equal(1, await row.CountAsync());
        Assert.Equal(["loans", "v3", "champion → v1"], (await row.Locator("td").AllInnerTextsAsync()).Take(3).Select(t => t.Trim()));
        Assert.Equal("Approves or declines consumer loans. Not for business lending.", (await row.Locator("td").Nth(4).InnerTextAsync()).Trim());
        Assert.Equal("page", await page.GetAttributeAsync("header a[href='#/models']", "aria-current"));
        await ShotAsync(page, "models");

        // the model: versions newest first with their runs, one alias move, three verdicts with both sides' values, the gate
        await page.ClickAsync("#models >> text=loans");
        await page.WaitForSelectorAsync("#versions");
        Assert.Equal(["3", "2", "1"], await page.Locator("#versions tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.version)"));
        Assert.Equal($"#/runs/{_strongRun}", await page.GetAttributeAsync("#versions tr[data-version='2'] td:nth-child(6) a", "href"));
        Assert.Contains("forty rounds", await page.InnerTextAsync("#versions tr[data-version='2']"));
        Assert.Equal(["champion → v1"], await page.Locator("#versions .chip").AllInnerTextsAsync());
        Assert.Equal(["champion → v1"], await page.Locator("#aliases .chip").AllInnerTextsAsync());
        Assert.Equal(["promote"], await page.Locator("#history tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.action)"));
        Assert.Equal(["champion", "v1", "—", "promote", "ana"], (await page.Locator("#history tbody tr td").AllInnerTextsAsync()).Skip(1).Take(5).Select(t => t.Trim()));

        Assert.Equal(["3:false", "2:true", "1:true"], await page.Locator("#verdicts article.verdict").EvaluateAllAsync<string[]>("vs => vs.map(v => v.dataset.version + ':' + v.dataset.passed)"));
        var v2 = page.Locator("#verdicts article.verdict[data-version='2']");
        Assert.Equal(["check", "candidate", "holder (v1)", "bound", "passed", "note"], (await v2.Locator("thead th").AllInnerTextsAsync()).Select(t => t.Trim()));
        var relative = _v2Gate.Checks[1];
        var cells = (await v2.Locator("tbody tr").Nth(1).Locator("td").AllInnerTextsAsync()).Select(t => t.Trim()).ToList();
        Assert.Equal(relative.Check, cells[0]);
        Assert.Equal(relative.Candidate!.Value, Number(cells[1]), 5);
        Assert.Equal(relative.Holder!.Value, Number(cells[2]), 5);
        Assert.Equal(relative.Bound!.Value, Number(cells[3]), 5);
        Assert.True(Number(cells[1]) > Number(cells[2])); // the stronger model beat the champion
        Assert.Equal("yes", cells[4]);
        var failed = page.Locator("#verdicts article.verdict[data-version='3'] tbody tr.failed td");
        Assert.Equal(_v3Gate.Checks.Single(c => !c.Passed).Check, (await failed.First.InnerTextAsync()).Trim());
        Assert.Equal(Number(await failed.Nth(1).InnerTextAsync()), Number(await failed.Nth(2).InnerTextAsync()), 9); // the same model on both sides
        Assert.Contains("roc_auc >= champion + 0.001", await page.InnerTextAsync("#gate-spec pre"));
        await ShotAsync(page, "model");

        // promoting v3 (its verdict failed) asks first, then shows the server's refusal verbatim; champion stays on v1
        await page.SelectOptionAsync("#promote-version", "3");
        Assert.Equal("champion", await page.InputValueAsync("#promote-alias"));
        await page.ClickAsync("#promote");
        await page.WaitForSelectorAsync("#action-result .error");
        Assert.Equal("Move champion of loans from version 1 to version 3?", dialogs[^1]);
        Assert.Equal($"Version 3 of 'loans' failed its gate for 'champion' (verdict {_v3Gate.Verdict.Id}): see kiln models verdicts loans 3. Promote it only with --force --reason \"…\".",
            (await page.InnerTextAsync("#action-result .error")).Trim());
        Assert.Equal(["champion → v1"], await page.Locator("#aliases .chip").AllInnerTextsAsync());
        Assert.Equal(1, await page.Locator("#history tbody tr").CountAsync());
        Assert.Equal(1, await ChampionAsync());
        await ShotAsync(page, "model-refused");

        // forcing without a reason: the server's rule, not the page's
        await page.CheckAsync("#promote-force");
        await page.ClickAsync("#promote");
        await page.WaitForSelectorAsync("#action-result .error:has-text('--force bypasses the gate')");
        Assert.Equal("Move champion of loans from version 1 to version 3? This bypasses the gate (forced).", dialogs[^1]);
        Assert.Equal(1, await ChampionAsync());
        await page.UncheckAsync("#promote-force");

        // v2 passed against v1: it moves, the page is drawn again with the move
        await page.SelectOptionAsync("#promote-version", "2");
        await page.ClickAsync("#promote");
        await page.WaitForSelectorAsync("#action-result .notice");
        Assert.Equal("Move champion of loans from version 1 to version 2?", dialogs[^1]);
        Assert.Equal("champion of loans: version 1 → version 2.", (await page.InnerTextAsync("#action-result .notice")).Trim());
        Assert.Equal(["champion → v2"], await page.Locator("#aliases .chip").AllInnerTextsAsync());
        Assert.Equal(["promote", "promote"], await page.Locator("#history tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.action)"));
        Assert.Equal(2, await ChampionAsync());

        // rollback: champion back to v1, with the reason; the newest history row says so
        await page.FillAsync("#rollback-reason", "incident 7");
        await page.ClickAsync("#rollback");
        await page.WaitForSelectorAsync("#action-result .notice:has-text('rollback')");
        Assert.Equal("Move champion of loans from version 2 back to version 1?", dialogs[^1]);
        Assert.Equal(["champion → v1"], await page.Locator("#aliases .chip").AllInnerTextsAsync());
        Assert.Equal(["rollback", "promote", "promote"], await page.Locator("#history tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.action)"));
        Assert.Equal(["champion", "v1", "v2", "rollback", "anonymous", "incident 7"],
            (await page.Locator("#history tbody tr").First.Locator("td").AllInnerTextsAsync()).Skip(1).Select(t => t.Trim()));
        Assert.Equal(1, await ChampionAsync());
        Assert.Equal(4, dialogs.Count); // every move asked first
        await ShotAsync(page, "model-rollback");

        // version 1: where it came from, drawn as dataset → run → version → alias, its evaluations beside; its card
        await page.ClickAsync("#versions tr[data-version='1'] td:first-child a");
        await page.WaitForSelectorAsync("#lineage svg");
        Assert.Equal("loans version 1", await page.InnerTextAsync("h1"));
        Assert.Equal($"#/runs/{_weakRun}", await page.GetAttributeAsync("#run-link", "href"));
        var run = page.Locator($"#lineage svg a[href='#/runs/{_weakRun}'] [data-kind='run']");
        Assert.Contains("gbdt-1-round", await run.TextContentAsync());
        var dataset = page.Locator($"#lineage svg a[href='#/datasets/applicants/versions/{Uri.EscapeDataString(_dataVersion)}'] [data-kind='dataset']");
        var datasetText = await dataset.TextContentAsync();
        Assert.Contains("dataset applicants", datasetText);
        Assert.Contains($"validated: {_validationErrors} error{(_validationErrors == 1 ? "" : "s")}", datasetText);
        Assert.Contains("@champion", await page.Locator("#lineage svg [data-kind='alias']").TextContentAsync());
        Assert.Contains("loans v1", await page.Locator("#lineage svg [data-kind='version']").TextContentAsync());
        // its evaluations: its own gate's, and the champion's side of v2's and v3's gates
        var evaluations = await page.Locator("#lineage svg [data-kind='evaluation']").EvaluateAllAsync<string[]>("gs => gs.map(g => g.closest('a').getAttribute('href'))");
        Assert.Equal(new[] { _v1Gate.CandidateRun, _v2Gate.HolderRun, _v3Gate.HolderRun }.Select(r => $"#/runs/{r}").Order(), evaluations.Order());
        Assert.Equal(3, await page.Locator("#lineage svg path.edge:not(.dashed)").CountAsync()); // dataset → run → version → alias
        Assert.Equal(3, await page.Locator("#lineage svg path.edge.dashed").CountAsync()); // one per evaluation

        Assert.Equal("", await page.GetAttributeAsync("#card iframe", "sandbox"));
        Assert.Equal("Model card: loans version 1", (await page.FrameLocator("#card iframe").Locator("h1").InnerTextAsync()).Trim());
        var markdown = Uri.UnescapeDataString((await page.GetAttributeAsync("#card-markdown", "href"))!);
        Assert.StartsWith("data:text/markdown;charset=utf-8,# Model card: loans version 1", markdown);
        Assert.Equal("loans-v1-card.md", await page.GetAttributeAsync("#card-markdown", "download"));
        await ShotAsync(page, "model-version");

        // the model's audit log: the three moves of champion (the seed's promotion, the console's promotion and rollback); the chain is intact
        await page.GoBackAsync();
        await page.WaitForSelectorAsync("#audit-link");
        await page.ClickAsync("#audit-link");
        await page.WaitForSelectorAsync("#audit");
        Assert.EndsWith("#/audit?resource=models/loans", page.Url);
        Assert.Equal("models/loans", await page.InputValueAsync("#resource"));
        var resources = await page.Locator("#audit tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.resource)");
        Assert.All(resources, r => Assert.StartsWith("models/loans", r));
        var moves = page.Locator("#audit tbody tr[data-action='model.alias.set']");
        Assert.Equal(3, await moves.CountAsync());
        Assert.Equal(["anonymous", "model.alias.set", "models/loans/aliases/champion", "{\"version\":2}", "{\"version\":1,\"action\":\"rollback\",\"reason\":\"incident 7\"}"],
            (await moves.Last.Locator("td").AllInnerTextsAsync()).Skip(1).Select(t => t.Trim()));
        Assert.Equal(3, await page.Locator("#audit tbody tr[data-action='model.version.create']").CountAsync());
        await page.ClickAsync("#verify");
        await page.WaitForSelectorAsync("#chain");
        Assert.Equal("INTACT", await page.InnerTextAsync("#chain"));
        var verification = await Server.Http.GetStringAsync("/api/kiln/audit/verify");
        var entries = System.Text.Json.JsonDocument.Parse(verification).RootElement.GetProperty("entries").GetInt32();
        Assert.Contains($"{entries} entries", await page.InnerTextAsync("#verify-result"));
        Assert.Equal(0, await page.Locator("#problems").CountAsync());
        await ShotAsync(page, "audit");

        // another resource through the filter: the URL keeps it
        await page.FillAsync("#resource", "datasets/applicants");
        await page.ClickAsync("#filter button[type=submit]");
        await page.WaitForFunctionAsync("() => location.hash.includes('resource=datasets')");
        await page.WaitForSelectorAsync("#audit tbody tr[data-resource^='datasets/applicants']");
        Assert.All(await page.Locator("#audit tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.resource)"),
            r => Assert.StartsWith("datasets/applicants", r));

        // a model that does not exist: the server's message
        await page.GotoAsync(Server.BaseUri.AbsoluteUri + "#/models/nope");
        await page.WaitForSelectorAsync(".error");
        Assert.Contains("nope", await page.InnerTextAsync(".error"));
        Assert.Empty(errors);
    }
}
