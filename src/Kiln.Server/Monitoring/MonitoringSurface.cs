using System.Text.Json;
using Kiln.Engine.Monitoring;
using Kiln.Engine.Monitoring.Drift;
using Kiln.Server.Http;

namespace Kiln.Server.Monitoring;

/// <summary>
/// <c>GET /api/kiln/deployments/{name}/drift?window=24h[&amp;route=R][&amp;method=M]</c>: drift of the deployment's logged
/// inputs over the window against its model's training profile, per feature and for the data set (<c>drift.html</c>: the
/// self-contained report); <c>…/monitor[.html]</c>: the whole snapshot (drift, quality, performance);
/// <c>/api/kiln/monitoring/status</c>: every deployment's summary.
/// </summary>
public sealed class MonitoringSurface : IEndpointSurface
{
    private static readonly JsonWriterOptions Writer = new() { Indented = false };

    /// <inheritdoc />
    public IReadOnlyList<PathString> Prefixes { get; } = [new("/api/kiln/deployments"), new("/api/kiln/monitoring")];

    /// <inheritdoc />
    public IErrorEnvelope Errors => JsonErrorEnvelope.Instance;

    /// <inheritdoc />
    public void Map(IEndpointRouteBuilder app)
    {
        MapMonitoring(app);
        app.MapGet("/api/kiln/deployments/{name}/drift.html", async (HttpContext context, string name) =>
        {
            var drift = await ComputeAsync(context, name);
            return Results.Content(DriftReportHtml.Render(drift.Report, $"Drift of {drift.Deployment} ({drift.Route}, {drift.Rows:N0} rows) against {drift.Model}"), "text/html");
        });
        app.MapJson<DeploymentDriftService>("/api/kiln/deployments/{name}/drift", ["GET"], async (call, _) =>
        {
            var drift = await ComputeAsync(call.Http, Uri.UnescapeDataString((string)call.Http.Request.RouteValues["name"]!));
            MonitorJson.WriteDrift(call.Json, drift);
        }, Writer);
    }

    private static void MapMonitoring(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/kiln/deployments/{name}/monitor.html", async (HttpContext context, string name) =>
        {
            var query = context.Request.Query;
            var window = query["window"].FirstOrDefault() ?? "24h";
            var snapshot = await context.RequestServices.GetRequiredService<MonitorService>().SnapshotAsync(name, WindowLength.Parse(window), query["route"].FirstOrDefault(),
                null, context.RequestAborted);
            var alerts = await context.RequestServices.GetRequiredService<Kiln.Core.Monitoring.IAlertStore>().ListAsync(null, name, 500, context.RequestAborted);
            return Results.Content(MonitorReportHtml.Render(snapshot,
                $"Monitoring of {snapshot.Drift.Deployment} (route {snapshot.Drift.Route}, {snapshot.Drift.Rows:N0} logged rows over {window}) against {snapshot.Drift.Model}",
                alerts), "text/html");
        });
        app.MapJson<MonitorService>("/api/kiln/deployments/{name}/monitor", ["GET"], async (call, monitor) =>
        {
            var query = call.Http.Request.Query;
            var snapshot = await monitor.SnapshotAsync(
                Uri.UnescapeDataString((string)call.Http.Request.RouteValues["name"]!), WindowLength.Parse(query["window"].FirstOrDefault() ?? "24h"),
                query["route"].FirstOrDefault(), null, call.Http.RequestAborted);
            call.Http.RequestServices.GetService<MonitorMetrics>()?.Record(snapshot);
            MonitorJson.WriteSnapshot(call.Json, snapshot);
        }, Writer);
        app.MapJson<MonitorService>("/api/kiln/monitoring/status", ["GET"], async (call, monitor) =>
        {
            var window = WindowLength.Parse(call.Http.Request.Query["window"].FirstOrDefault() ?? "1h");
            var status = await MonitorStatus.ComputeAsync(call.Http.RequestServices.GetRequiredService<Kiln.Core.Serving.IDeploymentStore>(),
                monitor, window, call.Http.RequestAborted);
            var w = call.Json;
            w.WriteString("window", call.Http.Request.Query["window"].FirstOrDefault() ?? "1h");
            w.WriteStartArray("deployments");
            foreach (var (name, snapshot, error) in status)
            {
                w.WriteStartObject();
                w.WriteString("deployment", name);
                if (snapshot is not null)
                {
                    call.Http.RequestServices.GetService<MonitorMetrics>()?.Record(snapshot);
                    MonitorJson.WriteSummary(w, snapshot);
                }
                else
                {
                    w.WriteString("error", error);
                }
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
