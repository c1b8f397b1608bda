using System.Globalization;
using Kiln.Core.Serving;
using Kiln.Engine.Serving;
using Kiln.Tabular;

namespace Kiln.Server.Serving;

/// <summary>A scoring request as every protocol states it.</summary>
/// <param name="Deployment">The deployment's name.</param>
/// <param name="Route">The route the caller pins (<c>Kiln-Route</c>), or null to draw one by weight.</param>
/// <param name="Version">The model version the caller names (the Open Inference Protocol's <c>/versions/V</c>, <c>model_version</c>), or null.</param>
/// <param name="RequestId">The caller's <c>Kiln-Request-Id</c>, or null for a new one.</param>
public sealed record ScoringRequest(string Deployment, string? Route = null, string? Version = null, string? RequestId = null)
{
    /// <summary>The request as an HTTP request states it: <c>Kiln-Route</c> and <c>Kiln-Request-Id</c> headers.</summary>
    public static ScoringRequest FromHttp(HttpContext context, string deployment, string? version = null) => new(deployment,
        NullIfEmpty(context.Request.Headers["Kiln-Route"].ToString()), version, NullIfEmpty(context.Request.Headers["Kiln-Request-Id"].ToString()));

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}

/// <summary>What a scoring request was answered with.</summary>
/// <param name="Deployment">The deployment.</param>
/// <param name="Route">The route that answered.</param>
/// <param name="Served">The model that route serves.</param>
/// <param name="Table">The rows scored.</param>
/// <param name="Outputs">The model's outputs (<see cref="Kiln.Learn.Data.ModelSchema.OutputCount"/> per row).</param>
/// <param name="RequestId">The request's id, under which the prediction log keeps it.</param>
public sealed record Scored(Deployment Deployment, DeploymentRoute Route, ServedModel Served, Table Table, double[] Outputs, string RequestId)
{
    /// <summary>The registered version that answered, as <c>NAME/VERSION</c> (the <c>Kiln-Model-Version</c> header), or null for a <c>runs:/</c> model.</summary>
    public string? ModelVersion => Served.Version is { } v ? $"{v.Name}/{v.Version}" : null;

    /// <summary>The version number alone, or empty.</summary>
    public string VersionNumber => Served.Version is { } v ? v.Version.ToString(CultureInfo.InvariantCulture) : "";

    /// <summary>Sets the answer's <c>Kiln-Request-Id</c>, <c>Kiln-Route</c> and <c>Kiln-Model-Version</c> headers.</summary>
    public void WriteHeaders(HttpResponse response)
    {
        response.Headers["Kiln-Request-Id"] = RequestId;
        response.Headers["Kiln-Route"] = Route.Name;
        if (ModelVersion is { } version)
        {
            response.Headers["Kiln-Model-Version"] = version;
        }
    }
}

/// <summary>A request's rows as a protocol read them: the table, where its numbers sit in the body when the reader
/// kept that (<see cref="SplitScanner.TryReadWithRaw"/>), and the body, given back to its pool once the rows are logged.</summary>
/// <param name="Table">The rows.</param>
/// <param name="Raw">The numbers' places in the body, or null.</param>
/// <param name="Body">The request's body, or null.</param>
public readonly record struct ScoringInput(Table Table, RawCells? Raw = null, RequestBody? Body = null)
{
    /// <summary>Rows with no raw text kept.</summary>
    public static implicit operator ScoringInput(Table table) => new(table);
}
