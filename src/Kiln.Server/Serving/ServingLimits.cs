using System.Globalization;
using Kiln.Core.Errors;

namespace Kiln.Server.Serving;

/// <summary>
/// What one scoring request may carry and how many are scored at once, on every protocol (MLflow scoring, the Open
/// Inference Protocol over REST and gRPC). Past <see cref="MaxBodyBytes"/> or <see cref="MaxRows"/> a request is refused
/// with 413 (gRPC: RESOURCE_EXHAUSTED); when <see cref="MaxConcurrency"/> requests are scoring and <see cref="QueueLimit"/>
/// more wait, the next is refused with 503 and <c>Retry-After: 1</c> (gRPC: UNAVAILABLE) instead of queueing without bound.
/// </summary>
public sealed record ServingLimits
{
    /// <summary>The default <see cref="MaxBodyBytes"/>: 8 MiB.</summary>
    public const int DefaultMaxBodyBytes = 8 << 20;

    /// <summary>The default <see cref="MaxRows"/>.</summary>
    public const int DefaultMaxRows = 100_000;

    /// <summary>The default <see cref="QueueLimit"/>.</summary>
    public const int DefaultQueueLimit = 256;

    /// <summary>Largest request body (a gRPC message), 1 MiB to 1 GiB. <c>--max-body-mib</c>, KILN_SERVING_MAX_BODY_MIB.</summary>
    public int MaxBodyBytes { get; init; } = DefaultMaxBodyBytes;

    /// <summary>Most rows one request scores, at least 1. <c>--max-rows</c>, KILN_SERVING_MAX_ROWS.</summary>
    public int MaxRows { get; init; } = DefaultMaxRows;

    /// <summary>Requests scored at once, at least 1 (default 4 per core). <c>--max-concurrency</c>, KILN_SERVING_MAX_CONCURRENCY.</summary>
    public int MaxConcurrency { get; init; } = 4 * Environment.ProcessorCount;

    /// <summary>Requests that wait for a free slot, 0 or more (0: refuse at once). <c>--queue-limit</c>, KILN_SERVING_QUEUE_LIMIT.</summary>
    public int QueueLimit { get; init; } = DefaultQueueLimit;

    /// <summary>
    /// The limits from explicit values (the command's options), else the environment's KILN_SERVING_* variables, else the
    /// defaults; a value out of range is an error naming the option or variable. <paramref name="environment"/> reads
    /// variables (default: the process's).
    /// </summary>
    public static ServingLimits Resolve(int? maxBodyMib = null, int? maxRows = null, int? maxConcurrency = null, int? queueLimit = null,
        Func<string, string?>? environment = null)
    {
        var env = environment ?? Environment.GetEnvironmentVariable;
        var defaults = new ServingLimits();
        return new ServingLimits
        {
            MaxBodyBytes = Value(maxBodyMib, "--max-body-mib", "KILN_SERVING_MAX_BODY_MIB", 1, 1024, env) is { } mib ? mib << 20 : defaults.MaxBodyBytes,
            MaxRows = Value(maxRows, "--max-rows", "KILN_SERVING_MAX_ROWS", 1, int.MaxValue, env) ?? defaults.MaxRows,
            MaxConcurrency = Value(maxConcurrency, "--max-concurrency", "KILN_SERVING_MAX_CONCURRENCY", 1, 100_000, env) ?? defaults.MaxConcurrency,
            QueueLimit = Value(queueLimit, "--queue-limit", "KILN_SERVING_QUEUE_LIMIT", 0, 1_000_000, env) ?? defaults.QueueLimit,
        };
    }

    /// <summary>Throws REQUEST_LIMIT_EXCEEDED (413) for a request of more than <see cref="MaxRows"/> rows.</summary>
    public void CheckRows(int rows)
    {
        if (rows > MaxRows)
        {
            throw new KilnException(ErrorCode.RequestTooLarge,
                $"The request has {rows:N0} rows, over the limit of {MaxRows:N0} rows per request: send fewer rows per request, or raise the limit with kiln serve/server --max-rows or KILN_SERVING_MAX_ROWS.");
        }
    }

    /// <summary>REQUEST_LIMIT_EXCEEDED (413) for a body of <paramref name="size"/> bytes, over <see cref="MaxBodyBytes"/>.</summary>
    public KilnException BodyTooLarge(long size) => new(ErrorCode.RequestTooLarge,
        $"The request body is {size:N0} bytes, over the limit of {MaxBodyBytes:N0}: send fewer rows per request, or raise the limit with kiln serve/server --max-body-mib or KILN_SERVING_MAX_BODY_MIB.");

    private static int? Value(int? given, string option, string variable, int min, int max, Func<string, string?> env)
    {
        if (given is { } g)
        {
            return g >= min && g <= max ? g : throw KilnException.Invalid($"Invalid {option} {g}: use a whole number from {min:N0} to {max:N0}.");
        }
        if (env(variable) is not { Length: > 0 } text)
        {
            return null;
        }
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
            ? v
            : throw KilnException.Invalid($"Invalid {variable}='{text}': use a whole number from {min:N0} to {max:N0}.");
    }
}
