namespace Kiln.Core.Errors;

/// <summary>The one exception type Kiln throws for expected failures: a stable code and a message that says what to do.</summary>
public sealed class KilnException(ErrorCode code, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The stable error code.</summary>
    public ErrorCode Code { get; } = code;

    public static KilnException NotFound(string message) => new(ErrorCode.ResourceDoesNotExist, message);

    public static KilnException Invalid(string message) => new(ErrorCode.InvalidParameterValue, message);

    public static KilnException AlreadyExists(string message) => new(ErrorCode.ResourceAlreadyExists, message);
}
