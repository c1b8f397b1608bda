using System.Net;
using Kiln.Engine.Serving;
using Kiln.Testing;

namespace Kiln.Server.Tests.Serving;

/// <summary><c>GET /api/kiln/deployments/NAME/export</c> on a real server: the manifests with the server's own store URIs.</summary>
public sealed class ExportSurfaceTests
{
    [Fact]
    public async Task The_server_exports_kubernetes_manifests_and_a_dockerfile_for_a_stored_deployment_only()
    {
        await using var server = await KilnTestServer.StartAsync();
        await server.Get<DeploymentService>().CreateAsync("loan", [new("champion", "models:/loan@champion", 100, false)], "ana");

        using var yaml = await server.Http.GetAsync("/api/kiln/deployments/loan/export?format=kubernetes");
        Assert.Equal(HttpStatusCode.OK, yaml.StatusCode);
        Assert.Equal("application/yaml", yaml.Content.Headers.ContentType?.MediaType);
        var text = await yaml.Content.ReadAsStringAsync();
        Assert.Contains("kind: ConfigMap", text);
        Assert.Contains($"KILN_STORE: \"sqlite:///{Path.GetFullPath(server.Directory)}", text); // the server's own store
        Assert.Contains("path: /v2/health/ready", text);

        Assert.Contains("--deployment\", \"loan\"", await server.Http.GetStringAsync("/api/kiln/deployments/loan/export?format=docker"));
        using var missing = await server.Http.GetAsync("/api/kiln/deployments/nope/export");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var unknown = await server.Http.GetAsync("/api/kiln/deployments/loan/export?format=helm");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("use docker or kubernetes", await unknown.Content.ReadAsStringAsync());
    }
}
