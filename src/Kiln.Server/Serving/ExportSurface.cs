using Kiln.Core.Serving;
using Kiln.Engine.Serving.Export;
using Kiln.Server.Http;

namespace Kiln.Server.Serving;

/// <summary>
/// <c>GET /api/kiln/deployments/{name}/export?format=kubernetes|docker</c>: the Kubernetes manifests (YAML) or the Dockerfile
/// for a deployment's serving replicas, with this server's store URIs (a password in them is never written out).
/// </summary>
public sealed class ExportSurface : IEndpointSurface
{
    /// <inheritdoc />
    public IReadOnlyList<PathString> Prefixes { get; } = [new("/api/kiln/deployments")];

    /// <inheritdoc />
    public IErrorEnvelope Errors => JsonErrorEnvelope.Instance;

    /// <inheritdoc />
    public void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/api/kiln/deployments/{name}/export", async (HttpContext context, string name) =>
        {
            var deployment = await context.RequestServices.GetRequiredService<IDeploymentStore>().GetAsync(Uri.UnescapeDataString(name), context.RequestAborted);
            var format = context.Request.Query["format"].ToString() is { Length: > 0 } f ? f : "kubernetes";
            var options = context.RequestServices.GetRequiredService<ReplicaPackageOptions>() with
            {
                Image = context.Request.Query["image"].ToString() is { Length: > 0 } image ? image : null,
            };
            var (file, text) = ReplicaPackage.Files(deployment, format, options).First();
            context.Response.Headers.ContentDisposition = $"inline; filename=\"{file}\"";
            return Results.Text(text, file.EndsWith(".yaml", StringComparison.Ordinal) ? "application/yaml; charset=utf-8" : "text/plain; charset=utf-8");
        });
}
