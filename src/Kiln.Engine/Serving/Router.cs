using Kiln.Core.Errors;
using Kiln.Core.Serving;

namespace Kiln.Engine.Serving;

/// <summary>Picks the route that answers a request: the one the <c>Kiln-Route</c> header pins, else one drawn by weight.</summary>
public static class Router
{
    /// <summary>The answering route.</summary>
    public static DeploymentRoute Pick(Deployment deployment, string? pinned, Random? random = null)
    {
        if (!string.IsNullOrEmpty(pinned))
        {
            return deployment.Routes.FirstOrDefault(r => r.Name == pinned)
                ?? throw KilnException.Invalid($"Deployment '{deployment.Name}' has no route '{pinned}' (Kiln-Route header): its routes are {string.Join(", ", deployment.Routes.Select(r => r.Name))}.");
        }
        var answering = deployment.Routes.Where(r => !r.Shadow && r.Weight > 0).ToList();
        var draw = (random ?? Random.Shared).Next(answering.Sum(r => r.Weight));
        foreach (var route in answering)
        {
            if ((draw -= route.Weight) < 0)
            {
                return route;
            }
        }
        return answering[^1];
    }
}
