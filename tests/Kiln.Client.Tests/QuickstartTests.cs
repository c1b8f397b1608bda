using System.Diagnostics;
using Kiln.Testing;

namespace Kiln.Client.Tests;

/// <summary>The README's quickstart (samples/Quickstart) runs against a real server and logs what it says.</summary>
public sealed class QuickstartTests
{
    [Fact]
    public async Task The_readme_quickstart_runs()
    {
        await using var server = await KilnTestServer.StartAsync();
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Quickstart.dll")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["KILN_TRACKING_URI"] = server.BaseUri.ToString();
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, error);
        Assert.Contains("gbdt-baseline: valid_auc=0.871", output);

        using var client = new KilnClient(server.BaseUri);
        var experiment = await client.GetExperimentByNameAsync("loan-approval");
        var run = (await client.SearchRunsAsync([experiment!.ExperimentId])).Items.Single();
        Assert.Equal(200, (await client.GetMetricHistoryAsync(run.Info.RunId, "train_loss")).Items.Count);
    }
}
