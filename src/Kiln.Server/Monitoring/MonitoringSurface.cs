using System.Text.Json;
using Kiln.Engine.Monitoring;
using Kiln.Engine.Monitoring.Drift;
using Kiln.Server.Http;

namespace Kiln.Server.Monitoring;

/// <summary>
/// <c>GET /api/kiln/deployments/{name}/drift?window=24h[&amp;route=R][&amp;method=M]</c>: drift of the deployment's logged
/// inputs over the window against its model's training profile, per feature and for the data set; <c>format=html</c>
/// answers the self-contained report instead.
/// </summary>
public sealed class MonitoringSurface : IEndpointSurface
{
    private static readonly JsonWriterOptions Writer = new() { Indented = false };

    /// <inheritdoc />
    public IReadOnlyList<PathString> Prefixes { get; } = [new("/api/kiln/deployments")];

    /// <inheritdoc />
    public IErrorEnvelope Errors => JsonErrorEnvelope.Instance;

    /// <inheritdoc />
    public void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/kiln/deployments/{name}/drift.html", async (HttpContext context, string name) =>
        {
            var drift = await ComputeAsync(context, name);
            return Results.Content(DriftReportHtml.Render(drift.Report, $"Drift of {drift.Deployment} ({drift.Route}, {drift.Rows:N0} rows) against {drift.Model}"), "text/html");
        });
        app.MapJson<DeploymentDriftService>("/api/kiln/deployments/{name}/drift", ["GET"], async (call, _) =>
        {
            var drift = await ComputeAsync(call.Http, Uri.UnescapeDataString((string)call.Http.Request.RouteValues["name"]!));
            var w = call.Json;
            w.WriteString("deployment", drift.Deployment);
            w.WriteString("route", drift.Route);
            w.WriteString("model", drift.Model);
            w.WriteNumber("from", drift.From);
            w.WriteNumber("to", drift.To);
            w.WriteNumber("rows", drift.Rows);
            w.WriteBoolean("dataset_drift", drift.Report.DatasetDrifted);
            w.WriteNumber("drifted_share", drift.Report.DriftedShare);
            w.WriteNumber("share_threshold", drift.Report.ShareThreshold);
            w.WriteStartArray("features");
            foreach (var c in drift.Report.Columns)
            {
                w.WriteStartObject();
                w.WriteString("name", c.Column);
                w.WriteString("kind", c.Kind);
                w.WriteString("method", c.Method.Name());
                if (double.IsFinite(c.Score))
                {
                    w.WriteNumber("score", c.Score);
                }
                else
                {
                    w.WriteString("score", "Infinity");
                }
                w.WriteNumber("threshold", c.Threshold);
                w.WriteBoolean("drifted", c.Drifted);
                w.WriteNumber("reference_values", c.ReferenceRows);
                w.WriteNumber("current_values", c.CurrentRows);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }, Writer);
    }

    private static Task<DeploymentDrift> ComputeAsync(HttpContext context, string name)
    {
        var query = context.Request.Query;
        var window = WindowLength.Parse(query["window"].FirstOrDefault() ?? "24h");
        var method = query["method"].FirstOrDefault() is { Length: > 0 } m ? DriftMethods.Parse(m) : (DriftMethod?)null;
        return context.RequestServices.GetRequiredService<DeploymentDriftService>()
            .ComputeAsync(name, window, query["route"].FirstOrDefault(), null, new DriftOptions(Method: method), context.RequestAborted);
    }
}
