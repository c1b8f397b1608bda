using Kiln.Core.Errors;

namespace Kiln.Server.Http;

/// <summary>
/// Turns failures into the envelope of the surface the path belongs to (by longest prefix; the JSON envelope
/// otherwise). A <see cref="KilnException"/> keeps its code and message; anything else is a bug: it is logged with
/// the request id and answered 500 INTERNAL_ERROR with that id, never with a stack trace.
/// </summary>
public static class ErrorHandling
{
    /// <summary>The response header that carries the request id of an internal error.</summary>
    public const string RequestIdHeader = "X-Request-Id";

    /// <summary>Adds the error middleware; put it first.</summary>
    public static IApplicationBuilder UseKilnErrors(this IApplicationBuilder app)
    {
        var surfaces = app.ApplicationServices.GetServices<IEndpointSurface>().ToList();
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("Kiln.Server");
        return app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (KilnException e)
            {
                await WriteAsync(context, surfaces, e.Code, e.Message, null);
            }
            catch (BadHttpRequestException e)
            {
                await WriteAsync(context, surfaces, ErrorCode.BadRequest, e.Message, null);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                // The client went away; there is no one to answer.
            }
            catch (Exception e) when (IsTransient(e))
            {
                // A dropped database connection or a timeout: nothing is wrong with the request; try again shortly.
                logger.LogWarning(e, "Transient failure serving {Method} {Path} (request id {RequestId})", context.Request.Method, context.Request.Path, context.TraceIdentifier);
                await WriteAsync(context, surfaces, ErrorCode.TemporarilyUnavailable,
                    $"The store is temporarily unavailable ({e.Message.TrimEnd('.')}). Retry the request; Retry-After says when.", null);
            }
            catch (Exception e)
            {
                var requestId = context.TraceIdentifier;
                logger.LogError(e, "Unhandled error serving {Method} {Path} (request id {RequestId})", context.Request.Method, context.Request.Path, requestId);
                await WriteAsync(context, surfaces, ErrorCode.InternalError,
                    $"Internal error ({e.GetType().Name}) serving request {requestId}. This is a bug in Kiln; the server's log has the full trace under this request id.", requestId);
            }
        });
    }

    /// <summary>Writes an error in the envelope of the surface <paramref name="context"/>'s path belongs to.</summary>
    public static Task WriteErrorAsync(HttpContext context, ErrorCode code, string message) =>
        WriteAsync(context, context.RequestServices.GetServices<IEndpointSurface>(), code, message, null);

    private static async Task WriteAsync(HttpContext context, IEnumerable<IEndpointSurface> surfaces, ErrorCode code, string message, string? requestId)
    {
        if (context.Response.HasStarted)
        {
            return;
        }
        context.Response.Clear();
        if (requestId is not null)
        {
            context.Response.Headers[RequestIdHeader] = requestId;
        }
        if (code == ErrorCode.TemporarilyUnavailable)
        {
            context.Response.Headers.RetryAfter = "1";
        }
        await EnvelopeFor(context.Request.Path, surfaces).WriteAsync(context, code, message, requestId);
    }

    /// <summary>A failure that retrying can fix: a database connection dropped or timed out (the provider says so), a socket error, a timeout.</summary>
    private static bool IsTransient(Exception e) => e switch
    {
        System.Data.Common.DbException db => db.IsTransient,
        System.Net.Sockets.SocketException or TimeoutException => true,
        _ => false,
    };

    private static IErrorEnvelope EnvelopeFor(PathString path, IEnumerable<IEndpointSurface> surfaces)
    {
        IErrorEnvelope envelope = JsonErrorEnvelope.Instance;
        var longest = -1;
        foreach (var surface in surfaces)
        {
            foreach (var prefix in surface.Prefixes)
            {
                if (path.StartsWithSegments(prefix) && prefix.Value!.Length > longest)
                {
                    longest = prefix.Value.Length;
                    envelope = surface.Errors;
                }
            }
        }
        return envelope;
    }
}
