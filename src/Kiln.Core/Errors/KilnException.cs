namespace Kiln.Core.Errors;

/// <summary>
/// The one exception type for expected failures anywhere in Kiln: a stable code and a message, in the user's names
/// (the option, the file, the flag), that says what to do. Libraries derive their own (a CSV format error, a learner
/// error) so that callers can still catch those alone; every one carries a code.
/// </summary>
public class KilnException(ErrorCode code, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The stable error code.</summary>
    public ErrorCode Code { get; } = code;

    /// <summary>RESOURCE_DOES_NOT_EXIST.</summary>
    public static KilnException NotFound(string message) => new(ErrorCode.ResourceDoesNotExist, message);

    /// <summary>INVALID_PARAMETER_VALUE.</summary>
    public static KilnException Invalid(string message) => new(ErrorCode.InvalidParameterValue, message);

    /// <summary>RESOURCE_ALREADY_EXISTS.</summary>
    public static KilnException AlreadyExists(string message) => new(ErrorCode.ResourceAlreadyExists, message);

    /// <summary>RESOURCE_DOES_NOT_EXIST for an input file, with the directory a relative path is read from.</summary>
    public static KilnException FileNotFound(string path, Exception? inner = null) => new(ErrorCode.ResourceDoesNotExist,
        $"The file '{path}' does not exist. Check the path (a relative path is read from {Environment.CurrentDirectory}).", inner);

    /// <summary>RESOURCE_CONFLICT (HTTP 409).</summary>
    public static KilnException Conflict(string message) => new(ErrorCode.ResourceConflict, message);

    /// <summary>The resource is in a state that does not allow the call.</summary>
    public static KilnException InvalidState(string message) => new(ErrorCode.InvalidState, message);
}
