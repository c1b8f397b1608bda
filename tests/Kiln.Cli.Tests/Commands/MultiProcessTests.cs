using System.Diagnostics;

namespace Kiln.Cli.Tests.Commands;

/// <summary>Several real kiln processes writing to one SQLite file at once: none may see "database is locked".</summary>
public sealed class MultiProcessTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Concurrent_processes_on_one_sqlite_file_all_succeed()
    {
        var kilnDll = Path.Combine(AppContext.BaseDirectory, "kiln.dll");
        Assert.True(File.Exists(kilnDll), kilnDll);
        await _cli.RunAsync("experiments", "list");
        var workers = Enumerable.Range(0, 4).Select(worker => Task.Run(async () =>
        {
            var failures = new List<string>();
            for (var i = 0; i < 4; i++)
            {
                using var process = Process.Start(_cli.ProcessStart("experiments", "create", $"w{worker}-e{i}"))!;
                var err = await process.StandardError.ReadToEndAsync();
                await process.WaitForExitAsync();
                if (process.ExitCode != 0)
                {
                    failures.Add($"exit {process.ExitCode}: {err}");
                }
            }
            return failures;
        })).ToList();
        var failures = (await Task.WhenAll(workers)).SelectMany(f => f).ToList();
        Assert.Empty(failures);
        var (_, output, _) = await _cli.RunAsync("experiments", "list");
        for (var w = 0; w < 4; w++)
        {
            for (var i = 0; i < 4; i++)
            {
                Assert.Contains($"w{w}-e{i}", output);
            }
        }
    }
}
