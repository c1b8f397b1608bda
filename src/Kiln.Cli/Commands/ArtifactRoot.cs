using Kiln.Core.Artifacts;
using Kiln.Core.Errors;
using Kiln.Hosting;

namespace Kiln.Cli.Commands;

/// <summary><c>kiln server --default-artifact-root</c>: the proxy (default), or a local folder clients write to directly.</summary>
internal static class ArtifactRoot
{
    public static KilnSettings Apply(KilnSettings settings, string? root)
    {
        if (string.IsNullOrEmpty(root) || root.StartsWith(ArtifactUris.ProxiedScheme, StringComparison.Ordinal))
        {
            return settings;
        }
        string folder;
        if (root.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            folder = Uri.TryCreate(root, UriKind.Absolute, out var uri) && uri.IsFile && Path.IsPathRooted(uri.LocalPath)
                ? uri.LocalPath
                : throw KilnException.Invalid($"--default-artifact-root '{root}' is not a file URI with an absolute path; use e.g. file:///srv/kiln/artifacts.");
        }
        else if (Path.IsPathRooted(root))
        {
            folder = root;
        }
        else
        {
            throw KilnException.Invalid(
                $"--default-artifact-root '{root}' is not supported: use mlflow-artifacts: (the default, through this server), a file: URI or an absolute path.");
        }
        folder = Path.GetFullPath(folder).TrimEnd('/');
        return settings with { ArtifactsRoot = folder, DefaultArtifactRoot = new Uri(folder + "/").AbsoluteUri.TrimEnd('/') };
    }
}
