using Kiln.Core.Artifacts;
using Kiln.Core.Errors;
using Kiln.Core.Registry;
using Kiln.Core.Search;
using Kiln.Core.Tracking;
using Kiln.Engine.Tracking;

namespace Kiln.Engine.Registry;

public sealed partial class RegistryService
{
    /// <summary>
    /// Registers a new version of a model from a source (<c>runs:/RUN/PATH</c>, <c>mlflow-artifacts:/…</c>, <c>models:/…</c>,
    /// or a local path inside the run's artifact folder when <paramref name="runId"/> is given, as MLflow's server requires).
    /// </summary>
    public async Task<ModelVersion> CreateVersionAsync(string? name, string? source, string? runId, string? runLink, string? description,
        IReadOnlyList<Tag> tags, string userId, CancellationToken ct = default)
    {
        RegistryValidation.ModelName(name);
        if (string.IsNullOrEmpty(source))
        {
            throw KilnException.Invalid("Missing value for required parameter 'source'. Give where the model's files are, e.g. runs:/RUN_ID/model.");
        }
        foreach (var tag in tags)
        {
            RegistryValidation.VersionTag(tag.Key, tag.Value);
        }
        await ValidateSourceAsync(source, string.IsNullOrEmpty(runId) ? null : runId, ct);
        if (runId is null && ArtifactUris.IsRunsUri(source))
        {
            runId = ArtifactUris.ParseRunsUri(source).RunId;
        }
        return await store.CreateVersionAsync(new NewModelVersion(name!, source, string.IsNullOrEmpty(runId) ? null : runId, string.IsNullOrEmpty(runLink) ? null : runLink,
            description, userId, Tags(tags)), Now(), ct);
    }

    /// <summary>One version (the number as MLflow sends it: text).</summary>
    public Task<ModelVersion> GetVersionAsync(string? name, string? version, CancellationToken ct = default) =>
        store.GetVersionAsync(RegistryValidation.ModelName(name), RegistryValidation.Version(version), ct);

    /// <summary>Sets a version's description.</summary>
    public Task<ModelVersion> UpdateVersionAsync(string? name, string? version, string? description, CancellationToken ct = default) =>
        store.UpdateVersionAsync(RegistryValidation.ModelName(name), RegistryValidation.Version(version), description, Now(), ct);

    /// <summary>Moves a version to a stage (old clients; aliases replace stages).</summary>
    public Task<ModelVersion> TransitionStageAsync(string? name, string? version, string? stage, bool archiveExisting, CancellationToken ct = default) =>
        store.TransitionStageAsync(RegistryValidation.ModelName(name), RegistryValidation.Version(version), RegistryValidation.Stage(stage), archiveExisting, Now(), ct);

    /// <summary>Deletes a version; aliases pointing at it are removed (and their history says who did it).</summary>
    public Task DeleteVersionAsync(string? name, string? version, string userId, CancellationToken ct = default) =>
        store.DeleteVersionAsync(RegistryValidation.ModelName(name), RegistryValidation.Version(version), userId, Now(), ct);

    /// <summary>Searches versions with MLflow's grammar (<c>name = 'loans'</c>, <c>run_id IN ('a', 'b')</c>, <c>tags.k = 'v'</c>).</summary>
    public Task<Page<ModelVersion>> SearchVersionsAsync(string? filter, IReadOnlyList<string>? orderBy, int? maxResults, string? pageToken, CancellationToken ct = default)
    {
        var size = maxResults ?? DefaultVersionResults;
        if (size < 1 || size > MaxVersionResults)
        {
            throw KilnException.Invalid($"Invalid value for request parameter max_results. It must be at most {MaxVersionResults}, but got value {size}");
        }
        var query = new RegistryQuery(FilterParser.ParseFilter(filter, SearchSchema.ModelVersions),
            FilterParser.ParseOrderBy(orderBy, SearchSchema.ModelVersions), size, PageToken.Offset(pageToken));
        return store.SearchVersionsAsync(query, ct);
    }

    /// <summary>Sets a version's tag.</summary>
    public Task SetVersionTagAsync(string? name, string? version, string? key, string? value, CancellationToken ct = default)
    {
        RegistryValidation.ModelName(name);
        var number = RegistryValidation.Version(version);
        RegistryValidation.VersionTag(key, value);
        return store.SetVersionTagAsync(name!, number, key!, value!, ct);
    }

    /// <summary>Deletes a version's tag (no error when it has none).</summary>
    public Task DeleteVersionTagAsync(string? name, string? version, string? key, CancellationToken ct = default)
    {
        RegistryValidation.ModelName(name);
        var number = RegistryValidation.Version(version);
        RegistryValidation.VersionTag(key, "");
        return store.DeleteVersionTagAsync(name!, number, key!, ct);
    }

    /// <summary>Where a version's files can be downloaded from (MLflow's get-download-uri): its source, a <c>models:/</c> source resolved.</summary>
    public async Task<string> DownloadUriAsync(string? name, string? version, CancellationToken ct = default)
    {
        var found = await GetVersionAsync(name, version, ct);
        var source = found.Source;
        for (var depth = 0; ModelUri.Is(source) && depth < 8; depth++)
        {
            source = (await ResolveAsync(source, ct)).Source;
        }
        return source;
    }

    /// <summary>The artifact store and path holding a version's files.</summary>
    public async Task<(IArtifactStore Store, string Path)> VersionFilesAsync(ModelVersion version, CancellationToken ct = default)
    {
        var source = version.Source;
        for (var depth = 0; depth < 8; depth++)
        {
            if (ModelUri.Is(source))
            {
                source = (await ResolveAsync(source, ct)).Source;
                continue;
            }
            if (ArtifactUris.IsRunsUri(source))
            {
                return await tracking.RunFilesAsync(source, "", ct);
            }
            if (ArtifactUris.ProxiedPath(source) is { } proxied)
            {
                return (artifacts, proxied);
            }
            var local = source.StartsWith("file:", StringComparison.Ordinal) ? new Uri(source).LocalPath : source;
            var root = artifacts.Root.TrimEnd('/') + "/";
            if (Path.IsPathRooted(local) && Path.GetFullPath(local).StartsWith(root, StringComparison.Ordinal))
            {
                return (artifacts, Path.GetFullPath(local)[root.Length..]);
            }
            break;
        }
        throw KilnException.Invalid(
            $"Model '{version.Name}' version {version.Version} keeps its files at '{version.Source}', which this server does not serve. Read them from there directly.");
    }

    private async Task ValidateSourceAsync(string source, string? runId, CancellationToken ct)
    {
        var scheme = source.IndexOf(':', StringComparison.Ordinal) is var colon and > 1 ? source[..colon] : "";
        if (scheme == "file" && Uri.TryCreate(source, UriKind.Absolute, out var fileUri) && fileUri.Host is { Length: > 0 } host && host is not ("localhost" or "127.0.0.1" or "."))
        {
            // MLflow's server fails this with an error without a code (HTTP 500); its client and test suite expect exactly that
            throw new KilnException(ErrorCode.InternalError,
                $"{source} is not a valid remote uri. For remote access on windows, please consider using a different scheme such as SMB (e.g. smb://<hostname>/<path>).");
        }
        if (scheme is "" or "file")
        {
            if (runId is not null)
            {
                var run = await tracking.GetRunAsync(runId, ct);
                var runUri = run.Info.ArtifactUri;
                var runDir = runUri.StartsWith("file:", StringComparison.Ordinal) ? new Uri(runUri).LocalPath : runUri.Contains(':', StringComparison.Ordinal) ? null : runUri;
                var path = Path.GetFullPath(scheme == "file" ? new Uri(source).LocalPath : source);
                if (runDir is not null && (path == Path.GetFullPath(runDir) || path.StartsWith(Path.GetFullPath(runDir).TrimEnd('/') + "/", StringComparison.Ordinal)))
                {
                    return;
                }
            }
            throw KilnException.Invalid(
                $"Invalid model version source: '{source}'. To use a local path as a model version source, the run_id request parameter has to be specified " +
                "and the local path has to be contained within the artifact directory of the run specified by the run_id.");
        }
        if (!IsAbsoluteWithoutRelativeParts(source, out var decoded))
        {
            throw KilnException.Invalid(
                $"Invalid model version source: '{decoded}'. If supplying a source as an http, https, local file path, ftp, objectstore, or mlflow-artifacts uri, " +
                "an absolute path must be provided without relative path references present. Please provide an absolute path.");
        }
    }

    /// <summary>
    /// MLflow's rule for a non-local source: decoded until it stops changing (so %2f, %252e and '+' cannot hide anything),
    /// no NUL, and its path (after the scheme and any //authority, slashes collapsed) absolute with no '.' or '..' segment.
    /// </summary>
    private static bool IsAbsoluteWithoutRelativeParts(string source, out string decoded)
    {
        decoded = source;
        for (var i = 0; i < 10; i++)
        {
            var next = Uri.UnescapeDataString(decoded.Replace('+', ' '));
            if (next == decoded)
            {
                break;
            }
            decoded = next;
        }
        if (decoded.Contains('\0', StringComparison.Ordinal))
        {
            return false;
        }
        var rest = decoded[(decoded.IndexOf(':', StringComparison.Ordinal) + 1)..];
        if (rest.StartsWith("//", StringComparison.Ordinal))
        {
            var slash = rest.IndexOf('/', 2);
            rest = slash < 0 ? "" : rest[slash..];
        }
        var cut = rest.IndexOfAny(['?', '#']);
        var path = System.Text.RegularExpressions.Regex.Replace(cut < 0 ? rest : rest[..cut], "/{2,}", "/").TrimEnd('/');
        if (path.Length == 0)
        {
            return true;
        }
        return path.StartsWith('/') && path.Split('/').Skip(1).All(segment => segment is not ("." or ".."));
    }
}
