using Kiln.Core.Artifacts;
using Kiln.Core.Errors;
using Kiln.Core.Registry;
using Kiln.Core.Search;
using Kiln.Core.Tracking;
using Kiln.Engine.Tracking;

namespace Kiln.Engine.Registry;

/// <summary>
/// The model registry as commands, the REST surfaces and model loading use it (partials: <c>.Versions</c>,
/// <c>.Aliases</c>): validates input with MLflow's rules and messages, stamps times from the injected clock, and
/// resolves <c>models:/</c> URIs to a version and its files.
/// </summary>
public sealed partial class RegistryService(IRegistryStore store, TrackingService tracking, IArtifactStore artifacts, TimeProvider time) : IModelFiles
{
    /// <summary>Default page size of a registered-model search (MLflow's).</summary>
    public const int DefaultModelResults = 100;

    /// <summary>Largest page of a registered-model search (MLflow's).</summary>
    public const int MaxModelResults = 1000;

    /// <summary>Default page size of a model-version search (MLflow's).</summary>
    public const int DefaultVersionResults = 10_000;

    /// <summary>Largest page of a model-version search (MLflow's).</summary>
    public const int MaxVersionResults = 200_000;

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Creates a registered model.</summary>
    public Task<RegisteredModel> CreateModelAsync(string? name, string? description, IReadOnlyList<Tag> tags, CancellationToken ct = default)
    {
        RegistryValidation.ModelName(name);
        foreach (var tag in tags)
        {
            RegistryValidation.ModelTag(tag.Key, tag.Value);
        }
        return store.CreateModelAsync(name!, description, Tags(tags), Now(), ct);
    }

    /// <summary>A registered model.</summary>
    public Task<RegisteredModel> GetModelAsync(string? name, CancellationToken ct = default) => store.GetModelAsync(RegistryValidation.ModelName(name), ct);

    /// <summary>Renames a registered model.</summary>
    public Task<RegisteredModel> RenameModelAsync(string? name, string? newName, CancellationToken ct = default)
    {
        RegistryValidation.ModelName(name);
        if (string.IsNullOrEmpty(newName))
        {
            throw KilnException.Invalid("Registered model name cannot be empty.");
        }
        return store.RenameModelAsync(name!, newName, Now(), ct);
    }

    /// <summary>Sets a registered model's description.</summary>
    public Task<RegisteredModel> UpdateModelAsync(string? name, string? description, CancellationToken ct = default) =>
        store.UpdateModelAsync(RegistryValidation.ModelName(name), description, Now(), ct);

    /// <summary>Deletes a registered model and its versions.</summary>
    public Task DeleteModelAsync(string? name, CancellationToken ct = default) => store.DeleteModelAsync(RegistryValidation.ModelName(name), ct);

    /// <summary>Searches registered models with MLflow's grammar (<c>name LIKE 'loan%'</c>, <c>tags.team = 'risk'</c>).</summary>
    public Task<Page<RegisteredModel>> SearchModelsAsync(string? filter, IReadOnlyList<string>? orderBy, int? maxResults, string? pageToken, CancellationToken ct = default)
    {
        var size = maxResults ?? DefaultModelResults;
        if (size < 1 || size > MaxModelResults)
        {
            throw KilnException.Invalid($"Invalid value for request parameter max_results. It must be at most {MaxModelResults}, but got value {size}");
        }
        var query = new RegistryQuery(FilterParser.ParseFilter(filter, SearchSchema.RegisteredModels),
            FilterParser.ParseOrderBy(orderBy, SearchSchema.RegisteredModels), size, PageToken.Offset(pageToken));
        return store.SearchModelsAsync(query, ct);
    }

    /// <summary>Sets a registered model's tag.</summary>
    public Task SetModelTagAsync(string? name, string? key, string? value, CancellationToken ct = default)
    {
        RegistryValidation.ModelName(name);
        RegistryValidation.ModelTag(key, value);
        return store.SetModelTagAsync(name!, key!, value ?? "", Now(), ct);
    }

    /// <summary>Deletes a registered model's tag (no error when it has none).</summary>
    public Task DeleteModelTagAsync(string? name, string? key, CancellationToken ct = default)
    {
        RegistryValidation.ModelName(name);
        RegistryValidation.ModelTag(key, "");
        return store.DeleteModelTagAsync(name!, key!, ct);
    }

    /// <summary>The newest version in each of the given stages (all stages when none are given).</summary>
    public async Task<IReadOnlyList<ModelVersion>> LatestVersionsAsync(string? name, IReadOnlyList<string>? stages, CancellationToken ct = default)
    {
        var model = await GetModelAsync(name, ct);
        if (stages is null || stages.Count == 0)
        {
            return model.LatestVersions;
        }
        var wanted = stages.Select(RegistryValidation.Stage).ToHashSet(StringComparer.Ordinal);
        return [.. model.LatestVersions.Where(v => wanted.Contains(v.CurrentStage))];
    }

    private static Dictionary<string, string> Tags(IReadOnlyList<Tag> tags)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            map[tag.Key] = tag.Value;
        }
        return map;
    }
}
