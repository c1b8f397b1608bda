using Kiln.Core.Search;
using Kiln.Core.Tracking;

namespace Kiln.Core.Registry;

/// <summary>A parsed registry search (registered models or model versions).</summary>
/// <param name="Filter">Clauses that must all hold; empty matches everything.</param>
/// <param name="OrderBy">Ordering terms; empty means the store's default (name, then version descending).</param>
/// <param name="MaxResults">Page size.</param>
/// <param name="Offset">Results to skip (from the page token).</param>
public sealed record RegistryQuery(IReadOnlyList<FilterClause> Filter, IReadOnlyList<OrderByClause> OrderBy, int MaxResults, int Offset);

/// <summary>
/// The model registry's records, given out by an <see cref="Stores.IMetadataStore"/>. Every write is one transaction;
/// alias moves append their <see cref="AliasEvent"/> in the same transaction. Unknown names and versions are
/// RESOURCE_DOES_NOT_EXIST; inputs are validated by the service before they reach the store.
/// </summary>
public interface IRegistryStore
{
    /// <summary>Creates a registered model; RESOURCE_ALREADY_EXISTS when the name is taken.</summary>
    Task<RegisteredModel> CreateModelAsync(string name, string? description, IReadOnlyDictionary<string, string> tags, long time, CancellationToken ct = default);

    /// <summary>A registered model with its tags, aliases and latest version per stage.</summary>
    Task<RegisteredModel> GetModelAsync(string name, CancellationToken ct = default);

    /// <summary>Renames a model (its versions, tags, aliases and history follow); RESOURCE_ALREADY_EXISTS when the new name is taken.</summary>
    Task<RegisteredModel> RenameModelAsync(string name, string newName, long time, CancellationToken ct = default);

    /// <summary>Sets a model's description.</summary>
    Task<RegisteredModel> UpdateModelAsync(string name, string? description, long time, CancellationToken ct = default);

    /// <summary>Deletes a model with its versions, tags and aliases.</summary>
    Task DeleteModelAsync(string name, CancellationToken ct = default);

    /// <summary>Registered models matching a query (filter keys: <c>name</c>, <c>tags.*</c>).</summary>
    Task<Page<RegisteredModel>> SearchModelsAsync(RegistryQuery query, CancellationToken ct = default);

    /// <summary>Sets (or replaces) a model's tag.</summary>
    Task SetModelTagAsync(string name, string key, string value, long time, CancellationToken ct = default);

    /// <summary>Deletes a model's tag (nothing happens when it has none with that key).</summary>
    Task DeleteModelTagAsync(string name, string key, CancellationToken ct = default);

    /// <summary>Registers the next version of a model (numbers are never reused, even after a delete).</summary>
    Task<ModelVersion> CreateVersionAsync(NewModelVersion version, long time, CancellationToken ct = default);

    /// <summary>One version.</summary>
    Task<ModelVersion> GetVersionAsync(string name, int version, CancellationToken ct = default);

    /// <summary>Sets a version's description.</summary>
    Task<ModelVersion> UpdateVersionAsync(string name, int version, string? description, long time, CancellationToken ct = default);

    /// <summary>Moves a version to a stage; with <paramref name="archiveExisting"/>, other versions in that stage go to Archived.</summary>
    Task<ModelVersion> TransitionStageAsync(string name, int version, string stage, bool archiveExisting, long time, CancellationToken ct = default);

    /// <summary>Deletes a version with its tags and the aliases pointing at it (their history records who removed them).</summary>
    Task DeleteVersionAsync(string name, int version, string userId, long time, CancellationToken ct = default);

    /// <summary>Versions matching a query (filter keys: <c>name</c>, <c>version_number</c>, <c>run_id</c>, <c>source_path</c>, <c>tags.*</c>).</summary>
    Task<Page<ModelVersion>> SearchVersionsAsync(RegistryQuery query, CancellationToken ct = default);

    /// <summary>Sets (or replaces) a version's tag.</summary>
    Task SetVersionTagAsync(string name, int version, string key, string value, CancellationToken ct = default);

    /// <summary>Deletes a version's tag (nothing happens when it has none with that key).</summary>
    Task DeleteVersionTagAsync(string name, int version, string key, CancellationToken ct = default);

    /// <summary>
    /// Points an alias at a version and records the move. With <see cref="AliasChange.ExpectedVersion"/>, the move is a
    /// compare-and-set: RESOURCE_CONFLICT when the alias moved meanwhile. Returns the recorded event.
    /// </summary>
    Task<AliasEvent> SetAliasAsync(string name, string alias, int version, AliasChange change, long time, CancellationToken ct = default);

    /// <summary>Removes an alias and records it; null (nothing recorded) when the model has no such alias.</summary>
    Task<AliasEvent?> DeleteAliasAsync(string name, string alias, AliasChange change, long time, CancellationToken ct = default);

    /// <summary>The version an alias points at; INVALID_PARAMETER_VALUE "Registered model alias … not found." when it is not set (MLflow's code).</summary>
    Task<ModelVersion> GetVersionByAliasAsync(string name, string alias, CancellationToken ct = default);

    /// <summary>A model's alias moves, oldest first, optionally of one alias only.</summary>
    Task<IReadOnlyList<AliasEvent>> AliasHistoryAsync(string name, string? alias, CancellationToken ct = default);

    /// <summary>Saves a gate spec (the same text saved again is the same version).</summary>
    Task<GateSpecVersion> SaveGateAsync(GateSpecVersion gate, CancellationToken ct = default);

    /// <summary>A model's gate spec versions, newest first.</summary>
    Task<IReadOnlyList<GateSpecVersion>> ListGatesAsync(string name, CancellationToken ct = default);

    /// <summary>Records a gate verdict.</summary>
    Task AddVerdictAsync(GateVerdict verdict, CancellationToken ct = default);

    /// <summary>A model's verdicts (optionally of one version), newest first.</summary>
    Task<IReadOnlyList<GateVerdict>> ListVerdictsAsync(string name, int? version, CancellationToken ct = default);

    /// <summary>Records a promotion request; RESOURCE_CONFLICT when one is already pending for the alias.</summary>
    Task AddPromotionAsync(Promotion promotion, CancellationToken ct = default);

    /// <summary>A model's promotions, newest first.</summary>
    Task<IReadOnlyList<Promotion>> ListPromotionsAsync(string name, CancellationToken ct = default);

    /// <summary>
    /// Decides a pending promotion in one transaction: approved moves the alias (compare-and-set against the holder it was
    /// asked against; RESOURCE_CONFLICT when it changed) and records the move; rejected only closes it.
    /// </summary>
    Task<Promotion> DecidePromotionAsync(string id, bool approve, string userId, long time, CancellationToken ct = default);
}
