using System.Text.Json;
using Kiln.Core.Errors;

namespace Kiln.Server.Http;

/// <summary>Turns failures into MLflow's error envelope <c>{"error_code": …, "message": …}</c> with its HTTP status.</summary>
public static class ErrorHandling
{
    public static IApplicationBuilder UseMlflowErrors(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        try
        {
            await next(context);
        }
        catch (KilnException e)
        {
            await WriteErrorAsync(context, e.Code, e.Message);
        }
        catch (BadHttpRequestException e)
        {
            await WriteErrorAsync(context, ErrorCode.BadRequest, e.Message);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is no one to answer.
        }
        catch (Exception e)
        {
            context.RequestServices.GetService(typeof(ILoggerFactory)).As<ILoggerFactory>()?.CreateLogger("Kiln.Server")
                .LogError(e, "Unhandled error serving {Method} {Path}", context.Request.Method, context.Request.Path);
            await WriteErrorAsync(context, ErrorCode.InternalError, $"Internal error: {e.Message}");
        }
    });

    public static async Task WriteErrorAsync(HttpContext context, ErrorCode code, string message)
    {
        if (context.Response.HasStarted)
        {
            return;
        }
        context.Response.Clear();
        context.Response.StatusCode = code.HttpStatus();
        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.Body, Mlflow.MlflowJson.WriterOptions);
        json.WriteStartObject();
        json.WriteString("error_code", code.WireName());
        json.WriteString("message", message);
        json.WriteEndObject();
    }

    private static T? As<T>(this object? value) where T : class => value as T;
}
