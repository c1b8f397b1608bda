namespace Kiln.Core.Artifacts;

/// <summary>The artifact URIs Kiln hands out: <c>mlflow-artifacts:/&lt;experiment&gt;/&lt;run&gt;/artifacts</c>, served through the server's proxy.</summary>
public static class ArtifactUris
{
    /// <summary>The scheme of artifact URIs the server proxies (MLflow's).</summary>
    public const string ProxiedScheme = "mlflow-artifacts:";

    /// <summary>The path inside the artifact store that a proxied URI names, or null when <paramref name="uri"/> is not proxied.</summary>
    public static string? ProxiedPath(string uri) =>
        uri.StartsWith(ProxiedScheme, StringComparison.Ordinal) ? ArtifactPath.Normalize(uri[ProxiedScheme.Length..].TrimStart('/'), allowEmpty: true) : null;
}
