using System.Text.Json;

namespace Kiln.Cli.Tests.Commands;

/// <summary><c>kiln monitor rules|alerts|status|report</c> against a real store.</summary>
public sealed class MonitorAlertsCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    private const string Rules = """
        rules:
          - name: loan-drift
            deployment: loan
            when: drift_share >= 0.3
            for: 2 of 3
            cooldown: 30m
            severity: critical
            actions: [webhook, {trigger: pipeline retrain-loan}]
        """;

    [Fact]
    public async Task Rules_are_applied_as_versions_listed_and_their_history_kept()
    {
        var file = Path.Combine(_cli.Home, "alerts.yaml");
        await File.WriteAllTextAsync(file, Rules);
        var (exit, output, err) = await _cli.RunAsync("monitor", "rules", "apply", file);
        Assert.True(exit == 0, err);
        Assert.Contains("Stored rule loan-drift version 1.", output);
        (exit, output, _) = await _cli.RunAsync("monitor", "rules", "apply", file);
        Assert.Contains("No rule changed.", output);
        await File.WriteAllTextAsync(file, Rules.Replace("0.3", "0.4", StringComparison.Ordinal));
        (_, output, _) = await _cli.RunAsync("monitor", "rules", "apply", file);
        Assert.Contains("Stored rule loan-drift version 2.", output);

        (exit, output, err) = await _cli.RunAsync("monitor", "rules", "list", "-o", "json");
        Assert.True(exit == 0, err);
        using (var doc = JsonDocument.Parse(output))
        {
            var rule = Assert.Single(doc.RootElement.EnumerateArray());
            Assert.Equal(("loan-drift", 2, "drift_share >= 0.4", "2 of 3", "webhook, pipeline retrain-loan"),
                (rule.GetProperty("name").GetString(), rule.GetProperty("version").GetInt32(), rule.GetProperty("when").GetString(), rule.GetProperty("for").GetString(),
                 rule.GetProperty("actions").GetString()));
        }
        (_, output, _) = await _cli.RunAsync("monitor", "rules", "history", "loan-drift", "-o", "json");
        using (var doc = JsonDocument.Parse(output))
        {
            Assert.Equal([2, 1], doc.RootElement.EnumerateArray().Select(v => v.GetProperty("version").GetInt32()));
            Assert.Contains("drift_share >= 0.3", doc.RootElement[1].GetProperty("yaml").GetString());
        }

        await File.WriteAllTextAsync(file, "rules:\n  - name: bad\n    when: drift_share is high\n");
        (exit, _, err) = await _cli.RunAsync("monitor", "rules", "apply", file);
        Assert.Equal(1, exit);
        Assert.Contains("must read METRIC OP NUMBER", err);
        (exit, _, err) = await _cli.RunAsync("monitor", "rules", "history", "nope");
        Assert.Equal(3, exit);
        Assert.Contains("No rule named 'nope'", err);
    }

    [Fact]
    public async Task Alerts_status_and_report_answer_clearly_when_there_is_nothing_yet()
    {
        var (exit, output, err) = await _cli.RunAsync("monitor", "alerts", "-o", "json");
        Assert.True(exit == 0, err);
        Assert.Equal(0, JsonDocument.Parse(output).RootElement.GetArrayLength());
        (exit, _, err) = await _cli.RunAsync("monitor", "alerts", "--state", "loud");
        Assert.Equal(1, exit);
        Assert.Contains("choose firing, acknowledged or resolved", err);
        (exit, _, err) = await _cli.RunAsync("monitor", "alerts", "ack", "7");
        Assert.Equal(3, exit);
        Assert.Contains("No alert with id 7", err);
        (exit, output, err) = await _cli.RunAsync("monitor", "status", "-o", "json");
        Assert.True(exit == 0, err);
        Assert.Equal(0, JsonDocument.Parse(output).RootElement.GetArrayLength());
        (exit, _, err) = await _cli.RunAsync("monitor", "report", "--deployment", "loan");
        Assert.Equal(3, exit);
        Assert.Contains("No deployment named 'loan'", err);
    }
}
