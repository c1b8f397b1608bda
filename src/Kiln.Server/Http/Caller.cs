using System.Text;

namespace Kiln.Server.Http;

/// <summary>
/// Who is calling, for the registry's history and the audit log: the <c>X-Kiln-User</c> header (Kiln.Client sends the
/// local user), else the user name of HTTP Basic credentials (MLflow's clients send MLFLOW_TRACKING_USERNAME), else
/// <c>anonymous</c>. Until authentication arrives this is what the caller says, not a verified identity.
/// </summary>
public static class Caller
{
    /// <summary>The header Kiln.Client sets.</summary>
    public const string UserHeader = "X-Kiln-User";

    /// <summary>The caller's user name.</summary>
    public static string User(HttpContext context)
    {
        if (context.Request.Headers[UserHeader].ToString() is { Length: > 0 } header)
        {
            return header.Length > 256 ? header[..256] : header;
        }
        var authorization = context.Request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(authorization[6..].Trim()));
                var colon = decoded.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0)
                {
                    return decoded[..colon];
                }
            }
            catch (FormatException)
            {
                // not Basic credentials after all: fall through
            }
        }
        return "anonymous";
    }
}
