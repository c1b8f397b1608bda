using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Kiln.Testing;

namespace Kiln.Server.Tests;

/// <summary>Starts one server per test and offers JSON helpers that keep the raw status and body.</summary>
public abstract class ServerTestBase : IAsyncLifetime
{
    protected KilnTestServer Server { get; private set; } = null!;

    protected HttpClient Http => Server.Http;

    public virtual async Task InitializeAsync() => Server = await KilnTestServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();

    protected async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string path, object body)
    {
        using var response = await Http.PostAsJsonAsync(path, body);
        return (response.StatusCode, await ReadAsync(response));
    }

    protected async Task<(HttpStatusCode Status, JsonElement Body)> PostRawAsync(string path, string json)
    {
        using var response = await Http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        return (response.StatusCode, await ReadAsync(response));
    }

    protected async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        return (response.StatusCode, await ReadAsync(response));
    }

    protected async Task<JsonElement> OkAsync(string path, object body)
    {
        var (status, json) = await PostAsync(path, body);
        Assert.True(status == HttpStatusCode.OK, $"{path} answered {status}: {json}");
        return json;
    }

    protected async Task<JsonElement> GetOkAsync(string path)
    {
        var (status, json) = await GetAsync(path);
        Assert.True(status == HttpStatusCode.OK, $"{path} answered {status}: {json}");
        return json;
    }

    protected async Task<string> CreateRunAsync(string experimentId = "0", string? name = null)
    {
        var json = await OkAsync("api/2.0/mlflow/runs/create", new { experiment_id = experimentId, run_name = name, start_time = 1000 });
        return json.GetProperty("run").GetProperty("info").GetProperty("run_id").GetString()!;
    }

    protected static void AssertError(HttpStatusCode status, JsonElement body, HttpStatusCode expectedStatus, string expectedCode, string? messagePart = null)
    {
        Assert.Equal(expectedStatus, status);
        Assert.Equal(expectedCode, body.GetProperty("error_code").GetString());
        if (messagePart is not null)
        {
            Assert.Contains(messagePart, body.GetProperty("message").GetString());
        }
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }
}
