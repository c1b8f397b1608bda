using System.Net;
using System.Text.RegularExpressions;
using Kiln.Core.Errors;

namespace Kiln.Cli.Commands;

/// <summary>Checks <c>kiln server</c>'s <c>--host</c> and <c>--port</c> before anything binds.</summary>
internal static partial class ListenAddress
{
    /// <summary>Throws INVALID_PARAMETER_VALUE for a host that is not an IP address or <c>localhost</c>, or a port outside 0–65535.</summary>
    /// <returns>Whether the address is loopback only.</returns>
    public static bool Validate(string host, int port)
    {
        if (port is < 0 or > 65535)
        {
            throw KilnException.Invalid($"Invalid --port {port}: use a port from 1 to 65535 (0 picks a free one).");
        }
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        var isV4 = DottedQuad().IsMatch(host);
        if ((!isV4 && !host.Contains(':')) || !IPAddress.TryParse(host, out var address))
        {
            throw KilnException.Invalid(
                $"Invalid --host '{host}': give an IP address — 127.0.0.1 (this machine only, the default), 0.0.0.0 (every IPv4 interface) or ::1 / :: for IPv6 — or localhost.");
        }
        return IPAddress.IsLoopback(address);
    }

    [GeneratedRegex(@"^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$")]
    private static partial Regex DottedQuad();
}
