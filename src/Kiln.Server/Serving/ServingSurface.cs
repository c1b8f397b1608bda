using System.Buffers;
using System.Text.Json;
using Kiln.Core.Errors;
using Kiln.Core.Serving;
using Kiln.Engine.Serving;
using Kiln.Server.Http;

namespace Kiln.Server.Serving;

/// <summary>
/// MLflow's scoring protocol for deployments: <c>POST /deployments/NAME/invocations</c> (and <c>POST /invocations</c> when
/// the store has one deployment), <c>GET /ping</c>. The route is the <c>Kiln-Route</c> header's or drawn by weight; the
/// answer carries <c>Kiln-Route</c> and <c>Kiln-Model-Version</c>; shadow routes score a copy after the answer is sent.
/// </summary>
public sealed class ServingSurface(ILogger<ServingSurface> logger) : IEndpointSurface
{
    /// <summary>Largest request body.</summary>
    public const int MaxBodyBytes = 8 << 20;

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

    private async Task InvokeAsync(HttpContext context, string name)
    {
        var ct = context.RequestAborted;
        var deployment = await context.RequestServices.GetRequiredService<IDeploymentStore>().GetAsync(Uri.UnescapeDataString(name), ct);
        var route = Router.Pick(deployment, context.Request.Headers["Kiln-Route"].ToString());
        var models = context.RequestServices.GetRequiredService<ServedModels>();
        var served = await models.GetAsync(route.Model, ct);
        var body = await ReadBodyAsync(context);
        var table = context.Request.ContentType?.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase) == true
            ? ScoringPayload.ReadCsv(System.Text.Encoding.UTF8.GetString(body), served.Model.Schema)
            : ScoringPayload.ReadJson(Parse(body), served.Model.Schema);
        var outputs = served.Model.Predict(table, ct);
        context.Response.Headers["Kiln-Route"] = route.Name;
        if (served.Version is { } version)
        {
            context.Response.Headers["Kiln-Model-Version"] = $"{version.Name}/{version.Version}";
        }
        context.Response.ContentType = "application/json";
        var buffer = new ArrayBufferWriter<byte>(256);
        await using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            ScoringPayload.WritePredictions(json, served.Model.Schema, outputs, table.RowCount);
            json.WriteEndObject();
        }
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, ct);
        foreach (var shadow in deployment.Routes.Where(r => r.Shadow))
        {
            // a copy of the request, scored after the answer left; its answer is never returned (the prediction log will keep it)
            _ = Task.Run(async () =>
            {
                try
                {
                    var model = await models.GetAsync(shadow.Model, CancellationToken.None);
                    model.Model.Predict(table, CancellationToken.None);
                }
                catch (Exception e)
                {
                    logger.LogWarning(e, "Shadow route {Route} of deployment {Deployment} failed", shadow.Name, deployment.Name);
                }
            }, CancellationToken.None);
        }
    }

    private static JsonElement Parse(byte[] body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw KilnException.Invalid($"Malformed JSON in the request body: {e.Message}");
        }
    }

    private static async Task<byte[]> ReadBodyAsync(HttpContext context)
    {
        if (context.Request.ContentLength > MaxBodyBytes)
        {
            throw TooLarge(context.Request.ContentLength.Value);
        }
        using var memory = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            memory.Write(chunk, 0, read);
            if (memory.Length > MaxBodyBytes)
            {
                throw TooLarge(memory.Length);
            }
        }
        return memory.ToArray();
    }

    private static KilnException TooLarge(long size) =>
        new(ErrorCode.RequestTooLarge, $"The request body is {size:N0} bytes, over the limit of {MaxBodyBytes:N0}: send fewer rows per request.");
}

/// <summary>What a serving-only replica serves at <c>/invocations</c>.</summary>
/// <param name="Deployment">The deployment's name.</param>
public sealed record ServingDefaults(string Deployment);
