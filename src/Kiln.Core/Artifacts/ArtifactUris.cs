namespace Kiln.Core.Artifacts;

/// <summary>The artifact URIs Kiln hands out: <c>mlflow-artifacts:/&lt;experiment&gt;/&lt;run&gt;/artifacts</c>, served through the server's proxy.</summary>
public static class ArtifactUris
{
    /// <summary>The scheme of artifact URIs the server proxies (MLflow's).</summary>
    public const string ProxiedScheme = "mlflow-artifacts:";

    /// <summary>MLflow's run-relative URIs: <c>runs:/RUN_ID/PATH</c>.</summary>
    public const string RunsScheme = "runs:/";

    /// <summary>Whether <paramref name="uri"/> is a <c>runs:/</c> URI.</summary>
    public static bool IsRunsUri(string uri) => uri.StartsWith(RunsScheme, StringComparison.Ordinal);

    /// <summary>The run id and the normalised path of a <c>runs:/RUN_ID/PATH</c> URI (<paramref name="defaultPath"/> when it names only the run).</summary>
    public static (string RunId, string Path) ParseRunsUri(string uri, string defaultPath = "")
    {
        var rest = uri[RunsScheme.Length..].Trim('/');
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        return (slash < 0 ? rest : rest[..slash], ArtifactPath.Normalize(slash < 0 ? defaultPath : rest[(slash + 1)..], allowEmpty: true));
    }

    /// <summary>The path inside the artifact store that a proxied URI names, or null when <paramref name="uri"/> is not proxied.</summary>
    public static string? ProxiedPath(string uri) =>
        uri.StartsWith(ProxiedScheme, StringComparison.Ordinal) ? ArtifactPath.Normalize(uri[ProxiedScheme.Length..].TrimStart('/'), allowEmpty: true) : null;
}
