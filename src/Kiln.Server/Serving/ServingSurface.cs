using System.Buffers;
using System.Text.Json;
using Kiln.Core.Errors;
using Kiln.Core.Serving;
using Kiln.Engine.Explanations;
using Kiln.Engine.Serving;
using Kiln.Server.Http;

namespace Kiln.Server.Serving;

/// <summary>
/// MLflow's scoring protocol for deployments: <c>POST /deployments/NAME/invocations</c> (and <c>POST /invocations</c> when
/// the store has one deployment), <c>GET /ping</c>. The route is the <c>Kiln-Route</c> header's or drawn by weight; the
/// answer carries <c>Kiln-Route</c> and <c>Kiln-Model-Version</c>; shadow routes score a copy after the answer is sent.
/// Scoring itself (limits, logging, metrics, shadows) is the <see cref="ScoringPath"/> every protocol shares.
/// </summary>
public sealed class ServingSurface : IEndpointSurface
{
    /// <inheritdoc />
    public IReadOnlyList<PathString> Prefixes { get; } = [new("/deployments"), new("/invocations"), new("/ping")];

    /// <inheritdoc />
    public IErrorEnvelope Errors => JsonErrorEnvelope.Instance;

    /// <inheritdoc />
    public void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/ping", () => Results.Text("\n"));
        app.MapPost("/deployments/{name}/invocations", (HttpContext context, string name) => InvokeAsync(context, name));
        app.MapPost("/invocations", async context =>
        {
            if (context.RequestServices.GetService<ServingDefaults>() is { } defaults)
            {
                await InvokeAsync(context, defaults.Deployment);
                return;
            }
            var all = await context.RequestServices.GetRequiredService<IDeploymentStore>().ListAsync(context.RequestAborted);
            if (all.Count != 1)
            {
                throw KilnException.Invalid(all.Count == 0
                    ? "No deployment exists: create one with kiln deploy create NAME --route champion=models:/NAME@champion."
                    : $"There are {all.Count} deployments ({string.Join(", ", all.Select(d => d.Name))}): post to /deployments/NAME/invocations.");
            }
            await InvokeAsync(context, all[0].Name);
        });
    }

    private static Task InvokeAsync(HttpContext context, string name)
    {
        var path = context.RequestServices.GetRequiredService<ScoringPath>();
        ExplainRequest? explain = null;
        return path.ScoreAsync(ScoringRequest.FromHttp(context, Uri.UnescapeDataString(name)), async (served, logged, _) =>
        {
            var body = await ServingBody.ReadAsync(context, path.Limits);
            if (context.Request.ContentType?.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase) == true)
            {
                return new ScoringInput(ScoringPayload.ReadCsv(System.Text.Encoding.UTF8.GetString(body.Span), served.Model.Schema), Body: body);
            }
            explain = ExplainRequest.Of(body.Span);
            if (explain is not null)
            {
                ExplainRequest.ModelOf(served.Model); // a model that cannot explain is a 400 before it scores
            }
            if (!logged)
            {
                return new ScoringInput(SplitScanner.TryRead(body.Span, served.Model.Schema) ?? ScoringPayload.ReadJson(ServingBody.Parse(body.Span), served.Model.Schema),
                    Body: body);
            }
            return SplitScanner.TryReadWithRaw(body.Array, body.Span.Length, served.Model.Schema) is { } scanned
                ? new ScoringInput(scanned.Table, scanned.Raw, body)
                : new ScoringInput(ScoringPayload.ReadJson(ServingBody.Parse(body.Span), served.Model.Schema), Body: body);
        }, async scored =>
        {
            scored.WriteHeaders(context.Response);
            context.Response.ContentType = "application/json";
            var buffer = new ArrayBufferWriter<byte>(256);
            await using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                ScoringPayload.WritePredictions(json, scored.Served.Model.Schema, scored.Outputs, scored.Table.RowCount);
                if (explain is not null)
                {
                    ServedExplanations.Write(json, ExplainRequest.ModelOf(scored.Served.Model), scored.Table, scored.Outputs, explain);
                }
                json.WriteEndObject();
            }
            await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
        }, context.RequestAborted);
    }
}

/// <summary>What a serving-only replica serves at <c>/invocations</c>.</summary>
/// <param name="Deployment">The deployment's name.</param>
public sealed record ServingDefaults(string Deployment);
