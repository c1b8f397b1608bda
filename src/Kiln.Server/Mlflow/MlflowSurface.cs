using Kiln.Server.Http;

namespace Kiln.Server.Mlflow;

/// <summary>
/// MLflow's REST API 2.0: experiments, runs, metrics, artifacts and the <c>mlflow-artifacts</c> proxy, under
/// <c>/api/2.0/</c> and <c>/ajax-api/2.0/</c>, with MLflow's error envelope.
/// </summary>
public sealed class MlflowSurface : IEndpointSurface
{
    /// <inheritdoc />
    public IReadOnlyList<PathString> Prefixes { get; } = [new("/api/2.0"), new("/ajax-api/2.0")];

    /// <inheritdoc />
    public IErrorEnvelope Errors => JsonErrorEnvelope.Instance;

    /// <inheritdoc />
    public void Map(IEndpointRouteBuilder app)
    {
        app.MapExperimentEndpoints();
        app.MapRunEndpoints();
        app.MapArtifactEndpoints();
        app.MapMetricHistoryEndpoints();
        app.MapUiArtifactEndpoints();
        app.MapRegisteredModelEndpoints();
        app.MapModelVersionEndpoints();
    }
}
