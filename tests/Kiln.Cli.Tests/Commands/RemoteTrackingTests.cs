using System.Text.Json;
using Kiln.Testing;

namespace Kiln.Cli.Tests.Commands;

/// <summary>Commands pointed at a tracking server with <c>--tracking-uri</c>: runs, metrics and models live on the server.</summary>
public sealed class RemoteTrackingTests : IAsyncLifetime
{
    private readonly CliHarness _laptop = new();
    private readonly CliHarness _otherMachine = new();
    private KilnTestServer _server = null!;

    public async Task InitializeAsync() => _server = await KilnTestServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _laptop.Dispose();
        _otherMachine.Dispose();
    }

    [Fact]
    public async Task Train_records_on_the_server_and_another_machine_predicts_with_the_model_from_it()
    {
        var server = _server.BaseUri.AbsoluteUri;
        var train = LoanData.Write(_laptop.Home, "train.csv", 600, 3);
        var (exit, output, err) = await _laptop.RunWithoutStoreAsync("train", "--data", train, "--target", "approved", "--param", "rounds=8",
            "--experiment", "loans", "--tracking-uri", server);
        Assert.True(exit == 0, err);
        Assert.Contains($"on {server}", output);
        var runId = output[(output.IndexOf("runs:/", StringComparison.Ordinal) + 6)..].Split('/')[0];
        Assert.False(File.Exists(Path.Combine(_laptop.Home, "kiln.db")));

        // Visible over the server's REST API: finished, with params, metrics, a metric history and the model package.
        using var run = JsonDocument.Parse(await _server.Http.GetStringAsync($"api/2.0/mlflow/runs/get?run_id={runId}"));
        var info = run.RootElement.GetProperty("run").GetProperty("info");
        Assert.Equal("FINISHED", info.GetProperty("status").GetString());
        var data = run.RootElement.GetProperty("run").GetProperty("data");
        Assert.Contains(data.GetProperty("metrics").EnumerateArray(), m => m.GetProperty("key").GetString() == "train_roc_auc");
        Assert.Contains(data.GetProperty("params").EnumerateArray(), p => p.GetProperty("key").GetString() == "learner");
        using var history = JsonDocument.Parse(await _server.Http.GetStringAsync($"api/2.0/mlflow/metrics/get-history?run_id={runId}&metric_key=train_loss"));
        Assert.Equal(8, history.RootElement.GetProperty("metrics").GetArrayLength());
        using var model = JsonDocument.Parse(await _server.Http.GetStringAsync($"api/2.0/mlflow/artifacts/list?run_id={runId}&path=model"));
        Assert.Contains(model.RootElement.GetProperty("files").EnumerateArray(), f => f.GetProperty("path").GetString() == "model/MLmodel");

        // Another machine (its own home, no local runs) lists the run and scores with the model, both from the server.
        (exit, output, err) = await _otherMachine.RunWithoutStoreAsync("runs", "list", "--experiment", "loans", "--tracking-uri", server, "--output", "csv");
        Assert.True(exit == 0, err);
        Assert.Contains(runId, output);
        var scored = Path.Combine(_otherMachine.Home, "scored.csv");
        var one = Path.Combine(_otherMachine.Home, "one.csv");
        await File.WriteAllTextAsync(one, "income,debt,region\n0.9,0.05,north\n");
        (exit, _, err) = await _otherMachine.RunWithoutStoreAsync("predict", "--model", $"runs:/{runId}/model", "--data", one, "--out", scored, "--tracking-uri", server);
        Assert.True(exit == 0, err);
        Assert.StartsWith("income,debt,region,probability,predicted_approved", await File.ReadAllTextAsync(scored));
    }

    [Fact]
    public async Task Tune_records_its_parent_and_trials_on_the_server()
    {
        var server = _server.BaseUri.AbsoluteUri;
        var train = LoanData.Write(_laptop.Home, "train.csv", 400, 4);
        var (exit, _, err) = await _laptop.RunWithoutStoreAsync("tune", "--data", train, "--target", "approved", "--space", "max_depth=1,2",
            "--param", "rounds=5", "--experiment", "remote-search", "--tracking-uri", server);
        Assert.True(exit == 0, err);
        using var experiment = JsonDocument.Parse(await _server.Http.GetStringAsync("api/2.0/mlflow/experiments/get-by-name?experiment_name=remote-search"));
        var id = experiment.RootElement.GetProperty("experiment").GetProperty("experiment_id").GetString();
        using var content = new StringContent($$"""{"experiment_ids":["{{id}}"],"filter":"tags.kiln.tune.best = 'true'"}""");
        using var response = await _server.Http.PostAsync("api/2.0/mlflow/runs/search", content);
        using var runs = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var best = Assert.Single(runs.RootElement.GetProperty("runs").EnumerateArray());
        Assert.Equal("FINISHED", best.GetProperty("info").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Experiments_are_created_listed_deleted_and_restored_on_the_server()
    {
        var server = _server.BaseUri.AbsoluteUri;
        var (exit, output, err) = await _laptop.RunWithoutStoreAsync("experiments", "create", "remote-exp", "--tracking-uri", server);
        Assert.True(exit == 0, err);
        var id = output.Trim();
        (exit, _, err) = await _laptop.RunWithoutStoreAsync("experiments", "delete", "remote-exp", "--tracking-uri", server);
        Assert.True(exit == 0, err);
        (exit, output, _) = await _laptop.RunWithoutStoreAsync("experiments", "list", "--view", "deleted", "--output", "csv", "--tracking-uri", server);
        Assert.Contains($"{id},remote-exp,deleted", output);
        (exit, _, err) = await _laptop.RunWithoutStoreAsync("experiments", "restore", id, "--tracking-uri", server);
        Assert.True(exit == 0, err);
        using var experiment = JsonDocument.Parse(await _server.Http.GetStringAsync($"api/2.0/mlflow/experiments/get?experiment_id={id}"));
        Assert.Equal("active", experiment.RootElement.GetProperty("experiment").GetProperty("lifecycle_stage").GetString());
    }

    [Fact]
    public async Task An_unreachable_server_is_one_clear_line_and_a_server_error_is_the_servers_message()
    {
        var (exit, _, err) = await _laptop.RunWithoutStoreAsync("runs", "list", "--tracking-uri", "http://127.0.0.1:1");
        Assert.NotEqual(0, exit);
        Assert.Contains("Cannot reach the tracking server at http://127.0.0.1:1/", err);
        Assert.DoesNotContain("   at ", err);

        (exit, _, err) = await _laptop.RunWithoutStoreAsync("runs", "list", "--filter", "metrics.auc >>> 1", "--tracking-uri", _server.BaseUri.AbsoluteUri);
        Assert.NotEqual(0, exit);
        Assert.Contains("filter", err, StringComparison.OrdinalIgnoreCase);
    }
}
