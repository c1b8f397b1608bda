using Kiln.Testing;

namespace Kiln.Server.Tests.Mlflow;

/// <summary>The same server on the PostgreSQL store: the REST layer does not depend on the backend.</summary>
public sealed class PostgresServerTests : IAsyncLifetime
{
    private PostgresTestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await PostgresTestDatabase.CreateAsync();

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task Tracking_works_end_to_end_on_postgres()
    {
        var b = new Npgsql.NpgsqlConnectionStringBuilder(_database.ConnectionString);
        await using var server = await KilnTestServer.StartAsync($"postgresql://{b.Username}@{b.Host}:{b.Port}/{b.Database}");
        using var create = await server.Http.PostAsync("api/2.0/mlflow/runs/create", new StringContent("{\"experiment_id\":\"0\",\"run_name\":\"pg\"}"));
        var run = System.Text.Json.JsonDocument.Parse(await create.Content.ReadAsStringAsync()).RootElement.GetProperty("run");
        var runId = run.GetProperty("info").GetProperty("run_id").GetString();
        using var batch = await server.Http.PostAsync("api/2.0/mlflow/runs/log-batch",
            new StringContent($"{{\"run_id\":\"{runId}\",\"metrics\":[{{\"key\":\"auc\",\"value\":0.9,\"timestamp\":1,\"step\":0}}],\"params\":[{{\"key\":\"a\",\"value\":\"1\"}}]}}"));
        Assert.True(batch.IsSuccessStatusCode);
        using var search = await server.Http.PostAsync("api/2.0/mlflow/runs/search",
            new StringContent("{\"experiment_ids\":[\"0\"],\"filter\":\"metrics.auc > 0.5 AND params.a = '1'\"}"));
        var runs = System.Text.Json.JsonDocument.Parse(await search.Content.ReadAsStringAsync()).RootElement.GetProperty("runs");
        Assert.Equal("pg", runs[0].GetProperty("info").GetProperty("run_name").GetString());

        // A NUL is refused by one rule before any store sees it (PostgreSQL cannot keep it): 400, not 500.
        using var nul = await server.Http.PostAsync("api/2.0/mlflow/runs/set-tag",
            new StringContent($"{{\"run_id\":\"{runId}\",\"key\":\"t\",\"value\":\"a\\u0000b\"}}"));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, nul.StatusCode);
        using var experiment = await server.Http.PostAsync("api/2.0/mlflow/experiments/create", new StringContent("{\"name\":\"x\\u0000y\"}"));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, experiment.StatusCode);
    }
}
