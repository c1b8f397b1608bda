using Kiln.Core.Errors;
using Kiln.Server.Http;

namespace Kiln.Server.Serving.Grpc;

/// <summary>
/// The Open Inference Protocol over gRPC (<see cref="InferenceGrpcService"/>) on the server's own port: Kestrel takes
/// HTTP/1.1 and HTTP/2 on every endpoint, so plaintext gRPC (h2c, by prior knowledge) and REST share it.
/// </summary>
public sealed class GrpcInferenceSurface : IEndpointSurface
{
    /// <inheritdoc />
    public IReadOnlyList<PathString> Prefixes { get; } = [new("/inference.GRPCInferenceService")];

    /// <inheritdoc />
    public IErrorEnvelope Errors => Envelope.Instance;

    /// <inheritdoc />
    public void Map(IEndpointRouteBuilder app) => app.MapGrpcService<InferenceGrpcService>();

    /// <summary>A failure outside the service (the service's own are <see cref="GrpcErrors"/>'): a trailers-only gRPC answer with its status.</summary>
    private sealed class Envelope : IErrorEnvelope
    {
        public static Envelope Instance { get; } = new();

        public Task WriteAsync(HttpContext context, ErrorCode code, string message, string? requestId)
        {
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/grpc";
            context.Response.Headers["grpc-status"] = ((int)GrpcErrors.StatusOf(code)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            context.Response.Headers["grpc-message"] = Uri.EscapeDataString(requestId is null ? message : $"{message} (request {requestId})");
            return Task.CompletedTask;
        }
    }
}
