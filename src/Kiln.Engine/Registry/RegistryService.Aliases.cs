using Kiln.Core.Errors;
using Kiln.Core.Registry;

namespace Kiln.Engine.Registry;

public sealed partial class RegistryService
{
    /// <summary>Points an alias at a version (MLflow's set-alias); the move is recorded with who did it and why.</summary>
    public Task<AliasEvent> SetAliasAsync(string? name, string? alias, string? version, AliasChange change, CancellationToken ct = default)
    {
        RegistryValidation.ModelName(name);
        RegistryValidation.Alias(alias);
        return store.SetAliasAsync(name!, alias!, RegistryValidation.Version(version), change, Now(), ct);
    }

    /// <summary>Removes an alias; the removal is recorded (null when there was no such alias).</summary>
    public Task<AliasEvent?> DeleteAliasAsync(string? name, string? alias, AliasChange change, CancellationToken ct = default)
    {
        RegistryValidation.ModelName(name);
        RegistryValidation.Alias(alias);
        return store.DeleteAliasAsync(name!, alias!, change, Now(), ct);
    }

    /// <summary>The version an alias points at.</summary>
    public Task<ModelVersion> GetVersionByAliasAsync(string? name, string? alias, CancellationToken ct = default)
    {
        RegistryValidation.ModelName(name);
        return store.GetVersionByAliasAsync(name!, RegistryValidation.Alias(alias), ct);
    }

    /// <summary>Every move of a model's aliases (or of one alias), oldest first.</summary>
    public Task<IReadOnlyList<AliasEvent>> HistoryAsync(string? name, string? alias, CancellationToken ct = default) =>
        store.AliasHistoryAsync(RegistryValidation.ModelName(name), string.IsNullOrEmpty(alias) ? null : alias, ct);

    /// <summary>The version that held an alias at a moment (Unix milliseconds), or null when the alias pointed nowhere then.</summary>
    public async Task<int?> HolderAtAsync(string? name, string? alias, long at, CancellationToken ct = default)
    {
        RegistryValidation.Alias(alias);
        var history = await HistoryAsync(name, alias, ct);
        return history.LastOrDefault(e => e.Time <= at)?.Version;
    }

    /// <inheritdoc />
    public async Task<(ModelVersion Version, Core.Artifacts.IArtifactStore Store, string Path)> LocateAsync(string modelsUri, CancellationToken ct = default)
    {
        var version = await ResolveAsync(modelsUri, ct);
        var (files, path) = await VersionFilesAsync(version, ct);
        return (version, files, path);
    }

    /// <summary>
    /// The version a <c>models:/</c> URI names: <c>models:/NAME/VERSION</c>, <c>models:/NAME@ALIAS</c>, <c>models:/NAME/latest</c>
    /// (the highest number) or <c>models:/NAME/STAGE</c> (the newest version in that stage).
    /// </summary>
    public async Task<ModelVersion> ResolveAsync(string uri, CancellationToken ct = default)
    {
        var parsed = ModelUri.Parse(uri);
        if (parsed.Version is { } number)
        {
            return await store.GetVersionAsync(parsed.Name, number, ct);
        }
        if (parsed.Alias is { } alias)
        {
            return await store.GetVersionByAliasAsync(parsed.Name, alias, ct);
        }
        var model = await store.GetModelAsync(parsed.Name, ct);
        var candidates = model.LatestVersions.Where(v => parsed.Stage is null || v.CurrentStage == parsed.Stage).ToList();
        return candidates.Count == 0
            ? throw KilnException.NotFound(parsed.Stage is null
                ? $"Registered model '{parsed.Name}' has no versions yet: register one with kiln models register {parsed.Name} runs:/RUN_ID/model."
                : $"No versions of model with name '{parsed.Name}' and stage '{parsed.Stage}' found")
            : candidates.MaxBy(v => v.Version)!;
    }
}
