using Kiln.Core.Errors;

namespace Kiln.Learn;

/// <summary>The one error type of Kiln.Learn: bad training or prediction input, or an unreadable model file.
/// The message names the column or option at fault and says what to do. Its code is INVALID_PARAMETER_VALUE.</summary>
public sealed class LearnException : KilnException
{
    /// <summary>Creates the exception with a message for the user.</summary>
    public LearnException(string message)
        : base(ErrorCode.InvalidParameterValue, message)
    {
    }

    /// <summary>Creates the exception with a message and the underlying cause.</summary>
    public LearnException(string message, Exception innerException)
        : base(ErrorCode.InvalidParameterValue, message, innerException)
    {
    }
}
