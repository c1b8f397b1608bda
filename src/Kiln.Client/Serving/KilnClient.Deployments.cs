using System.Text.Json;
using Kiln.Core.Serving;

namespace Kiln.Client;

public sealed partial class KilnClient
{
    /// <summary>Every deployment (Kiln's <c>/api/kiln/deployments</c>).</summary>
    public async Task<IReadOnlyList<Deployment>> ListDeploymentsAsync(CancellationToken ct = default)
    {
        using var doc = await _rest.GetKilnAsync("api/kiln/deployments", [], ct);
        return [.. doc.RootElement.GetProperty("deployments").EnumerateArray().Select(ReadDeployment)];
    }

    /// <summary>Creates a deployment: routes to models, with weights (canaries) and shadows (a copy of the traffic).</summary>
    /// <exception cref="Kiln.Core.Errors.KilnException"><c>RESOURCE_ALREADY_EXISTS</c> for a taken name; <c>INVALID_PARAMETER_VALUE</c> naming a bad route.</exception>
    public Task<Deployment> CreateDeploymentAsync(string name, IReadOnlyList<DeploymentRoute> routes, CancellationToken ct = default) =>
        SendDeploymentAsync(HttpMethod.Post, "api/kiln/deployments", w =>
        {
            w.WriteString("name", name);
            WriteRoutes(w, routes);
        }, ct);

    /// <summary>A deployment's current version.</summary>
    public async Task<Deployment> GetDeploymentAsync(string name, CancellationToken ct = default)
    {
        using var doc = await _rest.GetKilnAsync($"api/kiln/deployments/{Uri.EscapeDataString(name)}", [], ct);
        return ReadDeployment(doc.RootElement.GetProperty("deployment"));
    }

    /// <summary>Replaces a deployment's routes (a new version).</summary>
    public Task<Deployment> UpdateDeploymentAsync(string name, IReadOnlyList<DeploymentRoute> routes, CancellationToken ct = default) =>
        SendDeploymentAsync(HttpMethod.Put, $"api/kiln/deployments/{Uri.EscapeDataString(name)}", w => WriteRoutes(w, routes), ct);

    /// <summary>Restores the routes of the previous version.</summary>
    public Task<Deployment> RollbackDeploymentAsync(string name, CancellationToken ct = default) =>
        SendDeploymentAsync(HttpMethod.Post, $"api/kiln/deployments/{Uri.EscapeDataString(name)}/rollback", _ => { }, ct);

    /// <summary>Deletes a deployment.</summary>
    public async Task DeleteDeploymentAsync(string name, CancellationToken ct = default) =>
        (await _rest.SendKilnAsync(HttpMethod.Delete, $"api/kiln/deployments/{Uri.EscapeDataString(name)}", null, null, ct)).Dispose();

    /// <summary>Posts ground truth for served requests (by the <c>Kiln-Request-Id</c> each answer carried); returns the ids not found.</summary>
    public async Task<IReadOnlyList<string>> PostFeedbackAsync(IReadOnlyList<(string RequestId, string Label)> labels, CancellationToken ct = default)
    {
        using var doc = await _rest.SendKilnAsync(HttpMethod.Post, "api/kiln/feedback", w =>
        {
            w.WriteStartArray("labels");
            foreach (var (id, label) in labels)
            {
                w.WriteStartObject();
                w.WriteString("request_id", id);
                w.WriteString("label", label);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }, null, ct);
        return [.. doc.RootElement.GetProperty("not_found").EnumerateArray().Select(e => e.GetString()!)];
    }

    private async Task<Deployment> SendDeploymentAsync(HttpMethod method, string path, Action<Utf8JsonWriter> body, CancellationToken ct)
    {
        using var doc = await _rest.SendKilnAsync(method, path, body, null, ct);
        return ReadDeployment(doc.RootElement.GetProperty("deployment"));
    }

    private static void WriteRoutes(Utf8JsonWriter w, IReadOnlyList<DeploymentRoute> routes)
    {
        w.WriteStartArray("routes");
        foreach (var r in routes)
        {
            w.WriteStartObject();
            w.WriteString("name", r.Name);
            w.WriteString("model", r.Model);
            w.WriteNumber("weight", r.Weight);
            w.WriteBoolean("shadow", r.Shadow);
            if (r.Batching is { } batching)
            {
                w.WriteStartObject("batching");
                w.WriteNumber("max_rows", batching.MaxRows);
                w.WriteNumber("max_wait_ms", batching.MaxWaitMs);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static Deployment ReadDeployment(JsonElement e) => new(
        e.GetProperty("name").GetString()!,
        [.. e.GetProperty("routes").EnumerateArray().Select(r => new DeploymentRoute(r.GetProperty("name").GetString()!, r.GetProperty("model").GetString()!,
            r.GetProperty("weight").GetInt32(), r.GetProperty("shadow").GetBoolean(),
            r.TryGetProperty("batching", out var b) ? new RouteBatching(b.GetProperty("max_rows").GetInt32(), b.GetProperty("max_wait_ms").GetInt32()) : null))],
        e.GetProperty("version").GetInt32(), e.GetProperty("updated_at").GetInt64(), e.GetProperty("user").GetString()!);
}
