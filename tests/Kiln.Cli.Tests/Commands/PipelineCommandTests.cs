using System.Text.Json;

namespace Kiln.Cli.Tests.Commands;

/// <summary><c>kiln pipeline validate|run|resume|status|list|logs|cancel|apply|show|delete</c> and <c>kiln example loan-data</c> on real files and a real store.</summary>
public sealed class PipelineCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Validate_prints_the_stages_of_a_good_file_and_every_problem_of_a_bad_one_with_exit_code_4()
    {
        var good = Path.Combine(_cli.Home, "train.yaml");
        await File.WriteAllTextAsync(good, """
            params: {rounds: 100}
            steps:
              train: {uses: train, with: {data: train.csv, target: approved, params: {rounds: "${{ params.rounds }}"}}}
              gate: {uses: gate, needs: train, with: {model: "${{ steps.train.outputs.model }}"}}
            """);
        var (exit, output, err) = await _cli.RunAsync("pipeline", "validate", good);
        Assert.True(exit == 0, err);
        Assert.Contains("valid train", output);
        Assert.Contains("2 step(s) in 2 stage(s): train → gate", output);

        var bad = Path.Combine(_cli.Home, "bad.yaml");
        await File.WriteAllTextAsync(bad, "steps:\n  train: {uses: trian, with: {data: x, target: y}}\n  gate: {uses: gate, needs: [train, deploy]}\n");
        (exit, output, err) = await _cli.RunAsync("pipeline", "validate", good, bad);
        Assert.Equal(4, exit);
        Assert.Contains("valid train", output);
        Assert.Contains($"{bad}:2: step 'train': unknown operation 'trian' (did you mean 'train'?)", err);
        Assert.Contains($"{bad}:3: step 'gate': needs 'deploy', which is not a step", err);
        Assert.Contains($"{bad}:3: step 'gate': gate needs with: model", err);

        (exit, output, _) = await _cli.RunAsync("pipeline", "validate", bad, "-o", "json");
        Assert.Equal(4, exit);
        using var doc = JsonDocument.Parse(output);
        var file = doc.RootElement[0];
        Assert.False(file.GetProperty("valid").GetBoolean());
        Assert.Equal(3, file.GetProperty("errors").GetArrayLength());
        Assert.Equal(2, file.GetProperty("errors")[0].GetProperty("line").GetInt32());

        (exit, _, err) = await _cli.RunAsync("pipeline", "validate", Path.Combine(_cli.Home, "none.yaml"));
        Assert.Equal(3, exit);
        Assert.Contains("No pipeline file", err);
    }

    [Fact]
    public async Task Run_prints_each_step_exits_4_on_a_failure_resumes_and_a_rerun_is_cache_hits()
    {
        var flag = Path.Combine(_cli.Home, "ok");
        var file = Path.Combine(_cli.Home, "build.yaml");
        await File.WriteAllTextAsync(file, $$$"""
            name: build
            params: {who: world}
            steps:
              hello: {run: 'echo "hello $WHO"', env: {WHO: "${{ params.who }}"}}
              check: {run: 'test -f {{{flag}}} || (echo "no flag"; exit 1)', needs: hello}
            """);
        var (exit, output, err) = await _cli.RunAsync("pipeline", "run", file, "-p", "who=kiln");
        Assert.Equal(4, exit);
        Assert.Contains("✓ hello succeeded", output);
        Assert.Contains("✗ check failed", output);
        Assert.Contains("step 'check' failed: the command exited with code 1", err);
        var runId = output.Split('\n').First(l => l.StartsWith("Pipeline build run ", StringComparison.Ordinal))["Pipeline build run ".Length..].Trim();

        (exit, output, _) = await _cli.RunAsync("pipeline", "logs", runId, "hello");
        Assert.Equal(0, exit);
        Assert.Contains("hello kiln", output);
        (exit, output, _) = await _cli.RunAsync("pipeline", "status", runId, "-o", "json");
        Assert.Equal(4, exit);
        using (var doc = JsonDocument.Parse(output))
        {
            Assert.Equal("failed", doc.RootElement.GetProperty("run").GetProperty("status").GetString());
            Assert.Equal("kiln", doc.RootElement.GetProperty("run").GetProperty("params").GetProperty("who").GetString());
            Assert.Equal(["succeeded", "failed"], doc.RootElement.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("status").GetString()));
        }

        await File.WriteAllTextAsync(flag, "");
        (exit, output, err) = await _cli.RunAsync("pipeline", "resume", runId);
        Assert.True(exit == 0, output + err);
        Assert.Contains("✓ check succeeded", output);
        (_, output, _) = await _cli.RunAsync("pipeline", "status", runId, "-o", "json");
        using (var doc = JsonDocument.Parse(output))
        {
            Assert.Equal([1, 2], doc.RootElement.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("attempt").GetInt32())); // hello kept, check run again
        }

        (exit, output, _) = await _cli.RunAsync("pipeline", "run", file, "-p", "who=kiln");
        Assert.Equal(0, exit);
        Assert.Contains($"↺ hello cached (cache hit from run {runId})", output);
        Assert.Contains("2 cached", output);
        (exit, output, _) = await _cli.RunAsync("pipeline", "list", "build");
        Assert.Equal(0, exit);
        Assert.Contains("0 ran, 2 cached, 2 in all", output);
        Assert.Contains("2 ran, 0 cached, 2 in all", output); // the resumed run

        (exit, _, err) = await _cli.RunAsync("pipeline", "cancel", runId);
        Assert.Equal(1, exit);
        Assert.Contains("has already succeeded", err);
        (exit, _, err) = await _cli.RunAsync("pipeline", "run", file, "-p", "who");
        Assert.Equal(1, exit);
        Assert.Contains("Invalid -p 'who': use NAME=VALUE", err);
    }

    [Fact]
    public async Task Apply_stores_a_pipeline_that_runs_by_name_and_detach_leaves_it_to_a_worker()
    {
        var folder = Path.Combine(_cli.Home, "pipelines");
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, "nightly.yaml");
        await File.WriteAllTextAsync(file, "name: nightly\non: {schedule: \"0 3 * * *\"}\nsteps:\n  a: {run: 'true'}\n");
        var (exit, output, err) = await _cli.RunAsync("pipeline", "apply", file);
        Assert.True(exit == 0, err);
        Assert.Contains("Stored pipeline nightly", output);
        (exit, output, _) = await _cli.RunAsync("pipeline", "show", "nightly");
        Assert.Contains("schedule: \"0 3 * * *\"", output);

        (exit, output, _) = await _cli.RunAsync("pipeline", "run", "nightly", "--detach");
        Assert.Equal(0, exit);
        Assert.Contains("Queued.", output);
        (exit, output, _) = await _cli.RunAsync("pipeline", "list");
        Assert.Contains("queued", output);

        using (var worker = System.Diagnostics.Process.Start(_cli.ProcessStart("worker", "--slots", "1"))!)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (!(await _cli.RunAsync("pipeline", "list")).Out.Contains("succeeded", StringComparison.Ordinal) && clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(200);
            }
            worker.Kill();
            await worker.WaitForExitAsync();
        }
        Assert.Contains("succeeded", (await _cli.RunAsync("pipeline", "list")).Out);

        (exit, _, _) = await _cli.RunAsync("pipeline", "delete", "nightly");
        Assert.Equal(0, exit);
        (exit, _, err) = await _cli.RunAsync("pipeline", "run", "missing");
        Assert.Equal(3, exit);
        Assert.Contains("No pipeline 'missing' is stored", err);
    }

    [Fact]
    public async Task Example_loan_data_writes_the_same_file_for_the_same_options()
    {
        var a = Path.Combine(_cli.Home, "a.csv");
        var b = Path.Combine(_cli.Home, "b.csv");
        Assert.Equal(0, (await _cli.RunAsync("example", "loan-data", "--rows", "300", "--drift", "0.5", "-o", a)).Exit);
        Assert.Equal(0, (await _cli.RunAsync("example", "loan-data", "--rows", "300", "--drift", "0.5", "-o", b)).Exit);
        var lines = await File.ReadAllLinesAsync(a);
        Assert.Equal(301, lines.Length);
        Assert.Equal("age,income,loan_amount,term_months,credit_score,debt_to_income,employment_years,home_ownership,purpose,region,approved", lines[0]);
        Assert.Equal(lines, await File.ReadAllLinesAsync(b));
        var (exit, _, err) = await _cli.RunAsync("example", "loan-data", "--drift", "2");
        Assert.Equal(1, exit);
        Assert.Contains("Drift is 2", err);
    }
}
