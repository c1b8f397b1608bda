namespace Kiln.Server.Http;

/// <summary>
/// One API surface of the server — MLflow's REST API, Kiln's own API (<c>/api/kiln/</c>), a serving protocol,
/// <c>/metrics</c>, the web console — each in its own folder, registered in the host's container
/// (<c>services.AddSingleton&lt;IEndpointSurface, …&gt;()</c>) and mapped by <see cref="KilnServer.Build"/>.
/// </summary>
public interface IEndpointSurface
{
    /// <summary>The path prefixes the surface owns (e.g. <c>/api/2.0/mlflow</c>); errors under them use <see cref="Errors"/>.</summary>
    IReadOnlyList<PathString> Prefixes { get; }

    /// <summary>How the surface writes errors.</summary>
    IErrorEnvelope Errors { get; }

    /// <summary>Maps the surface's endpoints.</summary>
    void Map(IEndpointRouteBuilder app);
}
