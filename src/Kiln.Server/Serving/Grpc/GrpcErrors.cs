using Grpc.Core;
using Grpc.Core.Interceptors;
using Kiln.Core.Errors;

namespace Kiln.Server.Serving.Grpc;

/// <summary>
/// Answers a failed call with the gRPC status of its <see cref="ErrorCode"/> and the same message REST gives
/// (INVALID_ARGUMENT, NOT_FOUND, RESOURCE_EXHAUSTED for a request past a limit, UNAVAILABLE with a <c>retry-after</c>
/// trailer when saturated, …); anything else is a bug: logged with its request id and answered INTERNAL with that id.
/// </summary>
internal sealed class GrpcErrors(ILogger<GrpcErrors> logger) : Interceptor
{
    /// <inheritdoc />
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (KilnException e)
        {
            var trailers = new Metadata();
            if (e.Code == ErrorCode.TemporarilyUnavailable)
            {
                trailers.Add("retry-after", "1");
            }
            throw new RpcException(new Status(StatusOf(e.Code), e.Message), trailers);
        }
        catch (Exception e) when (e is not RpcException and not OperationCanceledException)
        {
            var requestId = context.GetHttpContext().TraceIdentifier;
            logger.LogError(e, "Unhandled error serving {Method} (request id {RequestId})", context.Method, requestId);
            throw new RpcException(new Status(StatusCode.Internal,
                $"Internal error ({e.GetType().Name}) serving request {requestId}. This is a bug in Kiln; the server's log has the full trace under this request id."));
        }
    }

    /// <summary>The gRPC status of an error code.</summary>
    public static StatusCode StatusOf(ErrorCode code) => code switch
    {
        ErrorCode.InvalidParameterValue or ErrorCode.BadRequest => StatusCode.InvalidArgument,
        ErrorCode.ResourceDoesNotExist or ErrorCode.EndpointNotFound => StatusCode.NotFound,
        ErrorCode.ResourceAlreadyExists => StatusCode.AlreadyExists,
        ErrorCode.InvalidState => StatusCode.FailedPrecondition,
        ErrorCode.TemporarilyUnavailable => StatusCode.Unavailable,
        ErrorCode.RequestTooLarge => StatusCode.ResourceExhausted,
        ErrorCode.ResourceConflict => StatusCode.Aborted,
        _ => StatusCode.Internal,
    };
}
