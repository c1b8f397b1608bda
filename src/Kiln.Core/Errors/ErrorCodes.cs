namespace Kiln.Core.Errors;

/// <summary>
/// The one mapping of an <see cref="ErrorCode"/> to its MLflow wire name, its HTTP status and the CLI's exit code.
/// </summary>
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
        ErrorCode.ResourceConflict => "RESOURCE_CONFLICT",
        ErrorCode.RequestTooLarge => "REQUEST_LIMIT_EXCEEDED",
        _ => "INTERNAL_ERROR",
    };

    /// <summary>The HTTP status MLflow's server answers with for this code.</summary>
    public static int HttpStatus(this ErrorCode code) => code switch
    {
        ErrorCode.InvalidParameterValue or ErrorCode.ResourceAlreadyExists or ErrorCode.BadRequest => 400,
        ErrorCode.ResourceDoesNotExist or ErrorCode.EndpointNotFound => 404,
        ErrorCode.TemporarilyUnavailable => 503,
        ErrorCode.ResourceConflict => 409,
        ErrorCode.RequestTooLarge => 413,
        _ => 500,
    };

    /// <summary>The <c>kiln</c> command's exit code for a failure with this code (see <see cref="ExitCodes"/>).</summary>
    public static int ExitCode(this ErrorCode code) => code switch
    {
        ErrorCode.ResourceDoesNotExist or ErrorCode.EndpointNotFound => ExitCodes.NotFound,
        _ => ExitCodes.Error,
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
