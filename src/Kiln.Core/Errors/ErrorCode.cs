namespace Kiln.Core.Errors;

/// <summary>Stable error codes; the names are MLflow's, so MLflow clients recognise them.</summary>
public enum ErrorCode
{
    InternalError,
    InvalidParameterValue,
    ResourceDoesNotExist,
    ResourceAlreadyExists,
    InvalidState,
    BadRequest,
    EndpointNotFound,
    TemporarilyUnavailable,
}

/// <summary>Maps an <see cref="ErrorCode"/> to its wire name and HTTP status.</summary>
public static class ErrorCodes
{
    /// <summary>The MLflow wire name, e.g. <c>RESOURCE_DOES_NOT_EXIST</c>.</summary>
    public static string WireName(this ErrorCode code) => code switch
    {
        ErrorCode.InternalError => "INTERNAL_ERROR",
        ErrorCode.InvalidParameterValue => "INVALID_PARAMETER_VALUE",
        ErrorCode.ResourceDoesNotExist => "RESOURCE_DOES_NOT_EXIST",
        ErrorCode.ResourceAlreadyExists => "RESOURCE_ALREADY_EXISTS",
        ErrorCode.InvalidState => "INVALID_STATE",
        ErrorCode.BadRequest => "BAD_REQUEST",
        ErrorCode.EndpointNotFound => "ENDPOINT_NOT_FOUND",
        ErrorCode.TemporarilyUnavailable => "TEMPORARILY_UNAVAILABLE",
        _ => "INTERNAL_ERROR",
    };

    /// <summary>The HTTP status MLflow's server answers with for this code.</summary>
    public static int HttpStatus(this ErrorCode code) => code switch
    {
        ErrorCode.InvalidParameterValue or ErrorCode.ResourceAlreadyExists or ErrorCode.BadRequest => 400,
        ErrorCode.ResourceDoesNotExist or ErrorCode.EndpointNotFound => 404,
        ErrorCode.TemporarilyUnavailable => 503,
        _ => 500,
    };

    /// <summary>Parses a wire name back into a code (unknown names become <see cref="ErrorCode.InternalError"/>).</summary>
    public static ErrorCode FromWireName(string? name)
    {
        foreach (var code in Enum.GetValues<ErrorCode>())
        {
            if (code.WireName() == name)
            {
                return code;
            }
        }
        return ErrorCode.InternalError;
    }
}
