using System.Globalization;

namespace Kiln.Engine.Serving;

/// <summary>
/// Request ids for requests that bring none: a random prefix drawn once per process and a zero-padded counter, so ids
/// are unique across replicas and, within a process, ascend. The prediction log's key then grows at its end (a random
/// id per request, as a GUID, lands anywhere in the key's B-tree and costs a random page per insert), and no request pays
/// for a cryptographic draw.
/// </summary>
public static class RequestIds
{
    private static readonly string s_prefix = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
    private static long s_counter;

    /// <summary>A new id: 16 hex digits of the process, '-', 12 of the counter.</summary>
    public static string Next() =>
        string.Create(CultureInfo.InvariantCulture, $"{s_prefix}-{Interlocked.Increment(ref s_counter):x12}");
}
