using System.Net;

namespace Kiln.Server.Tests.Mlflow;

public sealed class ExperimentEndpointsTests : ServerTestBase
{
    private const string Api = "api/2.0/mlflow/";

    [Fact]
    public async Task Create_get_and_get_by_name_use_mlflow_shapes()
    {
        var created = await OkAsync(Api + "experiments/create", new { name = "loans", tags = new[] { new { key = "team", value = "risk" } } });
        var id = created.GetProperty("experiment_id").GetString();
        var experiment = (await GetOkAsync(Api + $"experiments/get?experiment_id={id}")).GetProperty("experiment");
        Assert.Equal("loans", experiment.GetProperty("name").GetString());
        Assert.Equal($"mlflow-artifacts:/{id}", experiment.GetProperty("artifact_location").GetString());
        Assert.Equal("active", experiment.GetProperty("lifecycle_stage").GetString());
        Assert.True(experiment.GetProperty("creation_time").GetInt64() > 0);
        Assert.Equal("risk", experiment.GetProperty("tags")[0].GetProperty("value").GetString());
        var byName = (await GetOkAsync(Api + "experiments/get-by-name?experiment_name=loans")).GetProperty("experiment");
        Assert.Equal(id, byName.GetProperty("experiment_id").GetString());
    }

    [Fact]
    public async Task Errors_match_mlflow_codes_and_statuses()
    {
        await OkAsync(Api + "experiments/create", new { name = "dup" });
        var (status, body) = await PostAsync(Api + "experiments/create", new { name = "dup" });
        AssertError(status, body, HttpStatusCode.BadRequest, "RESOURCE_ALREADY_EXISTS", "dup");
        (status, body) = await GetAsync(Api + "experiments/get?experiment_id=12345");
        AssertError(status, body, HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST", "12345");
        (status, body) = await GetAsync(Api + "experiments/get-by-name?experiment_name=missing");
        AssertError(status, body, HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST", "missing");
        (status, body) = await PostAsync(Api + "experiments/search", new { max_results = 10, filter = "name = " });
        AssertError(status, body, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "end of filter");
    }

    [Fact]
    public async Task Update_delete_restore_and_tag()
    {
        var id = (await OkAsync(Api + "experiments/create", new { name = "old" })).GetProperty("experiment_id").GetString();
        await OkAsync(Api + "experiments/update", new { experiment_id = id, new_name = "new" });
        await OkAsync(Api + "experiments/set-experiment-tag", new { experiment_id = id, key = "k", value = "v" });
        await OkAsync(Api + "experiments/delete", new { experiment_id = id });
        var experiment = (await GetOkAsync(Api + $"experiments/get?experiment_id={id}")).GetProperty("experiment");
        Assert.Equal("new", experiment.GetProperty("name").GetString());
        Assert.Equal("deleted", experiment.GetProperty("lifecycle_stage").GetString());
        await OkAsync(Api + "experiments/restore", new { experiment_id = id });
        experiment = (await GetOkAsync(Api + $"experiments/get?experiment_id={id}")).GetProperty("experiment");
        Assert.Equal("active", experiment.GetProperty("lifecycle_stage").GetString());
        Assert.Equal("v", experiment.GetProperty("tags")[0].GetProperty("value").GetString());
    }

    [Fact]
    public async Task Search_pages_with_tokens_over_post_and_get()
    {
        for (var i = 0; i < 5; i++)
        {
            await OkAsync(Api + "experiments/create", new { name = $"exp-{i}" });
        }
        var first = await OkAsync(Api + "experiments/search", new { max_results = 3, filter = "name LIKE 'exp-%'", order_by = new[] { "name DESC" } });
        Assert.Equal(["exp-4", "exp-3", "exp-2"], first.GetProperty("experiments").EnumerateArray().Select(e => e.GetProperty("name").GetString()));
        var token = first.GetProperty("next_page_token").GetString();
        var second = await GetOkAsync(Api + $"experiments/search?max_results=3&filter={Uri.EscapeDataString("name LIKE 'exp-%'")}&order_by={Uri.EscapeDataString("name DESC")}&page_token={Uri.EscapeDataString(token!)}");
        Assert.Equal(["exp-1", "exp-0"], second.GetProperty("experiments").EnumerateArray().Select(e => e.GetProperty("name").GetString()));
        Assert.False(second.TryGetProperty("next_page_token", out _));
    }
}
