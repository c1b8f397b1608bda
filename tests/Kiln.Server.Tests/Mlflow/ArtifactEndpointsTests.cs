using System.Net;
using System.Text;

namespace Kiln.Server.Tests.Mlflow;

public sealed class ArtifactEndpointsTests : ServerTestBase
{
    private const string Proxy = "api/2.0/mlflow-artifacts/artifacts/";

    [Fact]
    public async Task Upload_list_download_and_delete_through_the_proxy()
    {
        var runId = await CreateRunAsync();
        var root = $"0/{runId}/artifacts";
        using (var put = await Http.PutAsync(Proxy + root + "/model/MLmodel", new StringContent("flavors: {}", Encoding.UTF8)))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }
        using (var put = await Http.PutAsync(Proxy + root + "/notes.txt", new ByteArrayContent(new byte[3_000_000])))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }
        Assert.Equal("flavors: {}", await Http.GetStringAsync(Proxy + root + "/model/MLmodel"));

        var listed = await GetOkAsync($"api/2.0/mlflow/artifacts/list?run_id={runId}");
        Assert.Equal($"mlflow-artifacts:/{root}", listed.GetProperty("root_uri").GetString());
        var files = listed.GetProperty("files").EnumerateArray().Select(f => (f.GetProperty("path").GetString(), f.GetProperty("is_dir").GetBoolean())).ToList();
        Assert.Equal([("model", true), ("notes.txt", false)], files);
        var nested = await GetOkAsync($"api/2.0/mlflow/artifacts/list?run_id={runId}&path=model");
        Assert.Equal("model/MLmodel", nested.GetProperty("files")[0].GetProperty("path").GetString());
        Assert.Equal(11, nested.GetProperty("files")[0].GetProperty("file_size").GetInt64());

        var proxyList = await GetOkAsync($"api/2.0/mlflow-artifacts/artifacts?path={root}/model");
        Assert.Equal("MLmodel", proxyList.GetProperty("files")[0].GetProperty("path").GetString());

        using (var delete = await Http.DeleteAsync(Proxy + root + "/notes.txt"))
        {
            Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        }
        var (status, body) = await GetAsync(Proxy + root + "/notes.txt");
        AssertError(status, body, HttpStatusCode.NotFound, "RESOURCE_DOES_NOT_EXIST");
    }

    [Fact]
    public async Task Paths_that_escape_the_root_are_rejected()
    {
        var (status, body) = await GetAsync("api/2.0/mlflow-artifacts/artifacts?path=../../etc");
        AssertError(status, body, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE", "Invalid path"); // MLflow's exact message
        var runId = await CreateRunAsync();
        (status, body) = await GetAsync($"api/2.0/mlflow/artifacts/list?run_id={runId}&path=../../..");
        AssertError(status, body, HttpStatusCode.BadRequest, "INVALID_PARAMETER_VALUE");
        using var put = await Http.PutAsync(Proxy + "a/%2E%2E/%2E%2E/escape.txt", new StringContent("x"));
        Assert.NotEqual(HttpStatusCode.OK, put.StatusCode);
        Assert.False(File.Exists(Path.Combine(Server.Directory, "escape.txt")));
        foreach (var smuggled in new[] { "..%2fpwned.txt", "..%2Fpwned.txt", "a%5Cpwned.txt", "..%252fpwned.txt" })
        {
            using var encoded = await Http.PutAsync(Proxy + smuggled, new StringContent("x"));
            Assert.Equal(HttpStatusCode.BadRequest, encoded.StatusCode);
        }
        Assert.Empty(Directory.GetFiles(Server.Directory, "*pwned*", SearchOption.AllDirectories));
    }
}
