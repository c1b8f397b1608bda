using System.Text.Json;

namespace Kiln.Cli.Tests.Commands;

/// <summary><c>kiln monitor drift</c>: offline drift between two files, as a table, JSON, an HTML report and an exit code for CI.</summary>
public sealed class MonitorCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", "drift", name);

    [Fact]
    public async Task Drift_between_two_files_names_the_shifted_columns_writes_a_report_and_fails_ci_when_asked()
    {
        var report = Path.Combine(_cli.Home, "drift.html");
        var (exit, output, err) = await _cli.RunAsync("monitor", "drift", "--reference", Fixture("large_ref.csv"), "--current", Fixture("large_cur.csv"),
            "--report", report);
        Assert.True(exit == 0, err);
        Assert.Contains("Data set drifted: 4 of 6 columns", output);
        var html = await File.ReadAllTextAsync(report);
        Assert.Contains("data-column=\"shifted\" data-drifted=\"true\"", html);
        Assert.Contains("data-column=\"same\" data-drifted=\"false\"", html);
        Assert.Contains("<svg", html);

        (exit, output, err) = await _cli.RunAsync("monitor", "drift", "--reference", Fixture("large_ref.csv"), "--current", Fixture("large_cur.csv"),
            "--columns", "same,channel", "--column-method", "same=psi", "-o", "json", "--fail-on-drift");
        Assert.True(exit == 0, err); // neither of these two drifted
        using (var doc = JsonDocument.Parse(output))
        {
            var rows = doc.RootElement.EnumerateArray().ToDictionary(r => r.GetProperty("column").GetString()!);
            Assert.Equal("psi", rows["same"].GetProperty("method").GetString());
            Assert.Equal("jensenshannon", rows["channel"].GetProperty("method").GetString());
        }

        (exit, _, _) = await _cli.RunAsync("monitor", "drift", "--reference", Fixture("small_ref.csv"), "--current", Fixture("small_cur.csv"), "--fail-on-drift");
        Assert.Equal(4, exit);
    }

    [Fact]
    public async Task Bad_options_are_named_before_any_data_is_read()
    {
        var (exit, _, err) = await _cli.RunAsync("monitor", "drift", "--reference", "nowhere.csv", "--current", "nowhere.csv", "--method", "magic");
        Assert.Equal(1, exit);
        Assert.Contains("Unknown drift method 'magic'", err);
        (exit, _, err) = await _cli.RunAsync("monitor", "drift", "--reference", "nowhere.csv", "--current", "nowhere.csv", "--threshold", "income");
        Assert.Equal(1, exit);
        Assert.Contains("write COLUMN=VALUE", err);
        (exit, _, err) = await _cli.RunAsync("monitor", "drift", "--reference", "a.csv");
        Assert.Equal(1, exit);
        Assert.Contains("--current FILE, or a deployment's logged inputs as --deployment NAME", err);
        (exit, _, err) = await _cli.RunAsync("monitor", "drift", "--deployment", "loan", "--window", "soon");
        Assert.Equal(1, exit);
        Assert.Contains("e.g. 30m, 24h or 7d", err);
        (exit, _, err) = await _cli.RunAsync("monitor", "drift", "--deployment", "loan", "--window", "2h");
        Assert.Equal(3, exit);
        Assert.Contains("No deployment named 'loan'", err);
        (exit, _, err) = await _cli.RunAsync("monitor", "drift", "--reference", Fixture("large_ref.csv"), "--current", Fixture("large_cur.csv"), "--column-method", "plan=ks");
        Assert.Equal(1, exit);
        Assert.Contains("'plan' is categorical", err);
    }
}
