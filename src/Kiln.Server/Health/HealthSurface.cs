using Kiln.Core.Errors;
using Kiln.Server.Http;

namespace Kiln.Server.Health;

/// <summary><c>/health</c>, <c>/version</c>, and the answer for any path no surface maps.</summary>
public sealed class HealthSurface : IEndpointSurface
{
    /// <inheritdoc />
    public IReadOnlyList<PathString> Prefixes { get; } = [new("/health"), new("/version")];

    /// <inheritdoc />
    public IErrorEnvelope Errors => JsonErrorEnvelope.Instance;

    /// <inheritdoc />
    public void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/health", () => "OK");
        app.MapGet("/version", () => KilnServer.Version);
        app.MapFallback(async http =>
        {
            // every unknown route, API or not, answers the same code (as MLflow's does), so clients can tell "no such route"
            // from "no such run"
            await ErrorHandling.WriteErrorAsync(http, ErrorCode.EndpointNotFound,
                $"No endpoint {http.Request.Method} {http.Request.Path}. See the MLflow REST API 2.0 for the supported endpoints.");
        });
    }
}
