using Kiln.Core.Errors;

namespace Kiln.Server.Http;

/// <summary>How one surface answers a failure: the status comes from the code (<see cref="ErrorCodes.HttpStatus"/>), the body is the surface's.</summary>
public interface IErrorEnvelope
{
    /// <summary>Writes the error response; <paramref name="requestId"/> is set for internal errors (it is also in the server's log).</summary>
    Task WriteAsync(HttpContext context, ErrorCode code, string message, string? requestId);
}

/// <summary>The JSON envelope MLflow's API uses, and Kiln's by default: <c>{"error_code": …, "message": …}</c> (plus <c>request_id</c> for internal errors).</summary>
public sealed class JsonErrorEnvelope : IErrorEnvelope
{
    /// <summary>The one instance.</summary>
    public static JsonErrorEnvelope Instance { get; } = new();

    /// <inheritdoc />
    public async Task WriteAsync(HttpContext context, ErrorCode code, string message, string? requestId)
    {
        context.Response.StatusCode = code.HttpStatus();
        context.Response.ContentType = "application/json";
        await using var json = new System.Text.Json.Utf8JsonWriter(context.Response.Body, Kiln.Core.Mlflow.MlflowJson.WriterOptions);
        json.WriteStartObject();
        json.WriteString("error_code", code.WireName());
        json.WriteString("message", message);
        if (requestId is not null)
        {
            json.WriteString("request_id", requestId);
        }
        json.WriteEndObject();
    }
}
