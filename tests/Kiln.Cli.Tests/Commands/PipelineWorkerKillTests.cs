using System.Diagnostics;
using Kiln.Core.Pipelines;
using Kiln.Hosting;
using Kiln.Testing;
using Npgsql;

namespace Kiln.Cli.Tests.Commands;

/// <summary>
/// Three <c>kiln worker</c> processes share one PostgreSQL store; one is killed with SIGKILL while it runs a step. The run
/// completes, the step runs again elsewhere only after the dead worker's lease lapsed, its first attempt was stopped with
/// its worker (no orphan ran on), every other step ran exactly once, and nothing was lost.
/// </summary>
public sealed class PipelineWorkerKillTests : IAsyncLifetime
{
    private readonly CliHarness _cli = new();
    private PostgresTestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await PostgresTestDatabase.CreateAsync();

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
        _cli.Dispose();
    }

    [Fact]
    public async Task A_worker_killed_mid_step_loses_nothing_and_no_step_runs_twice_at_once()
    {
        var b = new NpgsqlConnectionStringBuilder(_database.ConnectionString);
        var store = $"postgresql://{b.Username}@{b.Host}:{b.Port}/{b.Database}";
        var artifacts = Path.Combine(_cli.Home, "artifacts");
        var log = Path.Combine(_cli.Home, "steps.log");
        var steps = string.Join("\n", Enumerable.Range(0, 9).Select(i =>
            $"  s{i}: {{run: 'echo \"start $KILN_PIPELINE_STEP $$ $(date +%s%N)\" >> {log}; sleep 3; echo \"end $KILN_PIPELINE_STEP $$ $(date +%s%N)\" >> {log}'}}"));
        var file = Path.Combine(_cli.Home, "fanout.yaml");
        await File.WriteAllTextAsync(file, $"name: fanout\nsteps:\n{steps}\n  last: {{run: 'true', needs: [{string.Join(", ", Enumerable.Range(0, 9).Select(i => $"s{i}"))}]}}\n");

        var workers = Enumerable.Range(0, 3).Select(_ =>
        {
            var info = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "kiln.dll"), "worker", "--slots", "2", "--store", store, "--artifacts", artifacts])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            info.Environment["KILN_WORKER_LEASE"] = "3";
            info.Environment["KILN_WORKER_POLL_MS"] = "100";
            var process = Process.Start(info)!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return process;
        }).ToList();
        try
        {
            var (exit, output, error) = await _cli.RunWithoutStoreAsync("pipeline", "run", file, "--detach", "--store", store, "--artifacts", artifacts);
            Assert.True(exit == 0, output + error);
            await using var host = await KilnHost.OpenAsync(KilnSettings.Resolve(store, artifacts, _cli.Home));
            var pipelines = host.Get<IPipelineStore>();
            var runId = (await pipelines.ListRunsAsync("fanout", null, 1)).Single().Id;

            // Kill the worker of the first running step once its command has started.
            var clock = Stopwatch.StartNew();
            StepRun? victim = null;
            while (victim is null && clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                victim = (await pipelines.StepsAsync(runId)).FirstOrDefault(s => s.Status == StepStatuses.Running && File.Exists(log)
                    && File.ReadAllText(log).Contains($"start {s.Step} ", StringComparison.Ordinal));
                await Task.Delay(50);
            }
            Assert.NotNull(victim);
            var pid = int.Parse(victim.Worker!.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);
            var killed = workers.Single(w => w.Id == pid);
            killed.Kill(); // SIGKILL
            var killedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
            var lost = (await pipelines.StepsAsync(runId)).Where(s => s.Status == StepStatuses.Running && s.Worker == victim.Worker).Select(s => s.Step).ToHashSet();
            Assert.Contains(victim.Step, lost); // it had two slots: every step it held is lost with it

            PipelineRun run;
            while (!(run = (await pipelines.GetRunAsync(runId))!).IsFinished && clock.Elapsed < TimeSpan.FromSeconds(90))
            {
                await Task.Delay(100);
            }
            var final = await pipelines.StepsAsync(runId);
            Assert.True(run.Status == PipelineStatuses.Succeeded, $"{run.Status}: {run.Error}");
            Assert.All(final, s => Assert.Equal(StepStatuses.Succeeded, s.Status));
            Assert.All(final.Where(s => lost.Contains(s.Step)), s => Assert.Equal(2, s.Attempt));

            var lines = (await File.ReadAllLinesAsync(log)).Select(l => l.Split(' ')).ToList();
            foreach (var step in Enumerable.Range(0, 9).Select(i => $"s{i}"))
            {
                var attempts = lines.Where(l => l[1] == step).GroupBy(l => l[2]).ToList(); // by the attempt's shell pid
                if (lost.Contains(step) && attempts.Count == 2)
                {
                    var first = attempts.Single(a => a.Any(l => l[0] == "start" && long.Parse(l[3], System.Globalization.CultureInfo.InvariantCulture) < killedAt));
                    Assert.DoesNotContain(first, l => l[0] == "end"); // stopped with its worker, not left running
                    var second = attempts.Single(a => a.Key != first.Key);
                    Assert.True(long.Parse(second.Single(l => l[0] == "start")[3], System.Globalization.CultureInfo.InvariantCulture) > killedAt);
                    Assert.Single(second, l => l[0] == "end");
                }
                else
                {
                    // Ran once (a lost step whose command had not started yet runs once, on the next worker).
                    var only = Assert.Single(attempts);
                    Assert.Equal(["start", "end"], only.Select(l => l[0]));
                }
            }
        }
        finally
        {
            foreach (var worker in workers.Where(w => !w.HasExited))
            {
                worker.Kill();
            }
            foreach (var worker in workers)
            {
                await worker.WaitForExitAsync();
                worker.Dispose();
            }
        }
    }
}
