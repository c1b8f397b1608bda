using System.Globalization;
using Kiln.Core.Errors;
using Kiln.Core.Monitoring;
using Kiln.Core.Serving;
using Kiln.Engine.Monitoring;
using Kiln.Engine.Pipelines.Execution;
using Kiln.Engine.Serving;

namespace Kiln.Engine.Pipelines.Operations;

/// <summary>
/// <c>deploy</c>: points a deployment's route (<c>route:</c>, default <c>champion</c>) at a model with a weight (default 100),
/// creating the deployment when missing and keeping its other routes; replicas pick the change up by hot reload.
/// </summary>
/// <param name="deployments">Deployments.</param>
/// <param name="store">The deployment store (to read the current routes).</param>
public sealed class DeployOperation(DeploymentService deployments, IDeploymentStore store) : IStepOperation
{
    /// <inheritdoc />
    public string Name => "deploy";

    /// <inheritdoc />
    public Task<IReadOnlyList<string>?> StateAsync(StepContext step, CancellationToken ct) => Task.FromResult<IReadOnlyList<string>?>([]);

    /// <inheritdoc />
    public async Task<bool> StillHoldsAsync(StepContext step, IReadOnlyDictionary<string, string> outputs, CancellationToken ct) =>
        // Deploying again is needed when someone changed the route since.
        (await CurrentAsync(step.Required("deployment"), ct))?.Routes.FirstOrDefault(r => r.Name == (step.Get("route") ?? "champion")) is { } route
        && route.Model == step.Required("model") && route.Weight.ToString(CultureInfo.InvariantCulture) == (step.Get("weight") ?? "100");

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, string>> RunAsync(StepContext step, CancellationToken ct)
    {
        var name = step.Required("deployment");
        var routeName = step.Get("route") ?? "champion";
        var weight = step.Get("weight") is { } w ? int.TryParse(w, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) && parsed is >= 0 and <= 100
            ? parsed : throw new StepRejectedException($"weight is '{w}': give a whole number from 0 to 100.") : 100;
        var route = new DeploymentRoute(routeName, step.Required("model"), weight, false, null, step.Get("reference"));
        var current = await CurrentAsync(name, ct);
        Deployment saved;
        if (current is null)
        {
            saved = await deployments.CreateAsync(name, [route], step.User, ct);
        }
        else
        {
            var routes = current.Routes.Where(r => r.Name != routeName).ToList();
            var old = current.Routes.FirstOrDefault(r => r.Name == routeName);
            routes.Insert(0, route with { Shadow = old?.Shadow ?? false, Batching = old?.Batching, Reference = route.Reference ?? old?.Reference });
            saved = await deployments.UpdateAsync(name, routes, step.User, ct);
        }
        step.Log.WriteLine($"deployment {name} version {saved.Version}: route {routeName} → {route.Model} (weight {weight})");
        return new Dictionary<string, string> { ["deployment"] = name, ["version"] = saved.Version.ToString(CultureInfo.InvariantCulture) };
    }

    private async Task<Deployment?> CurrentAsync(string name, CancellationToken ct)
    {
        try
        {
            return await store.GetAsync(name, ct);
        }
        catch (KilnException e) when (e.Code == ErrorCode.ResourceDoesNotExist)
        {
            return null;
        }
    }
}

/// <summary><c>monitor</c>: a deployment's recent traffic (<c>window:</c>, default 1h): the share of drifted features and the firing alerts. Never cached.</summary>
/// <param name="monitor">Monitoring.</param>
/// <param name="alerts">Alerts.</param>
public sealed class MonitorOperation(MonitorService monitor, IAlertStore alerts) : IStepOperation
{
    /// <inheritdoc />
    public string Name => "monitor";

    /// <inheritdoc />
    public Task<IReadOnlyList<string>?> StateAsync(StepContext step, CancellationToken ct) => Task.FromResult<IReadOnlyList<string>?>(null);

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, string>> RunAsync(StepContext step, CancellationToken ct)
    {
        var deployment = step.Required("deployment");
        var window = WindowLength.Parse(step.Get("window") ?? "1h");
        var snapshot = await monitor.SnapshotAsync(deployment, window, null, null, ct);
        var firing = await alerts.ListAsync(AlertStates.Firing, deployment, 100, ct);
        var report = snapshot.Drift.Report;
        step.Log.WriteLine($"{deployment}, last {step.Get("window") ?? "1h"}: {snapshot.Drift.Rows} rows, drifted share {report.DriftedShare:F2} (threshold {report.ShareThreshold:F2}), {firing.Count} alert(s) firing");
        return new Dictionary<string, string>
        {
            ["drifted_share"] = report.DriftedShare.ToString("R", CultureInfo.InvariantCulture), ["drifted"] = report.DatasetDrifted ? "true" : "false",
            ["alerts"] = firing.Count.ToString(CultureInfo.InvariantCulture),
        };
    }
}
