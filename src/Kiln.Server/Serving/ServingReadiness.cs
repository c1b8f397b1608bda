using Kiln.Core.Serving;
using Kiln.Engine.Serving;

namespace Kiln.Server.Serving;

/// <summary>
/// Whether this process can answer (<c>/v2/health/ready</c>, gRPC <c>ServerReady</c>, a Kubernetes readiness probe):
/// a serving replica (<c>kiln serve --deployment NAME</c>) is ready once every answering route of its deployment has a
/// model loaded and warmed — loading it now if needed — so a new pod takes traffic only when it can score; the
/// all-in-one server, which loads each deployment's models on first use, is ready once it runs.
/// </summary>
public sealed class ServingReadiness(IDeploymentStore deployments, ServedModels models, ServingDefaults? replica = null)
{
    /// <summary>Null when ready, else why not.</summary>
    public async Task<string?> NotReadyBecauseAsync(CancellationToken ct)
    {
        if (replica is null)
        {
            return null;
        }
        try
        {
            var deployment = await deployments.GetAsync(replica.Deployment, ct);
            foreach (var route in deployment.Routes.Where(r => !r.Shadow))
            {
                await models.GetAsync(route.Model, ct);
            }
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return $"deployment '{replica.Deployment}' cannot serve yet: {e.Message}";
        }
    }
}
