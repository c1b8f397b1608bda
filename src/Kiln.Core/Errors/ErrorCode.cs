namespace Kiln.Core.Errors;

/// <summary>Stable error codes; the names are MLflow's, so MLflow clients recognise them.</summary>
public enum ErrorCode
{
    /// <summary>An unexpected failure: a bug. The server answers it with a request id that is also in its log.</summary>
    InternalError,

    /// <summary>Bad input: a parameter, option, file content or value that is not valid.</summary>
    InvalidParameterValue,

    /// <summary>The thing asked for (experiment, run, file, column, model) does not exist.</summary>
    ResourceDoesNotExist,

    /// <summary>A create that conflicts with something that exists (a taken name).</summary>
    ResourceAlreadyExists,

    /// <summary>The resource exists but is in a state that does not allow the call (e.g. a store newer than Kiln).</summary>
    InvalidState,

    /// <summary>A malformed request (HTTP level).</summary>
    BadRequest,

    /// <summary>No such API endpoint.</summary>
    EndpointNotFound,

    /// <summary>A transient failure: try again later.</summary>
    TemporarilyUnavailable,
    /// <summary>A request larger than the endpoint takes (HTTP 413): send less per request.</summary>
    RequestTooLarge,
    /// <summary>Someone else changed the resource first (e.g. two promotions racing on one alias): read it again and decide.</summary>
    ResourceConflict,
}
