namespace Kiln.Core.Registry;

/// <summary>A registered model: a name under which model versions are kept, with a description, tags and aliases.</summary>
/// <param name="Name">Unique name.</param>
/// <param name="CreationTime">Unix milliseconds.</param>
/// <param name="LastUpdatedTime">Unix milliseconds of the last change to the model or one of its versions.</param>
/// <param name="Description">Free text (Markdown), or null.</param>
/// <param name="Tags">Tags by key.</param>
/// <param name="Aliases">Alias → version number, by alias.</param>
/// <param name="LatestVersions">The newest version in each stage (MLflow's <c>latest_versions</c>).</param>
public sealed record RegisteredModel(
    string Name,
    long CreationTime,
    long LastUpdatedTime,
    string? Description,
    IReadOnlyDictionary<string, string> Tags,
    IReadOnlyDictionary<string, int> Aliases,
    IReadOnlyList<ModelVersion> LatestVersions);

/// <summary>One version of a registered model: where its files are and which run made them.</summary>
/// <param name="Name">The registered model's name.</param>
/// <param name="Version">1, 2, …; never reused within a model.</param>
/// <param name="CreationTime">Unix milliseconds.</param>
/// <param name="LastUpdatedTime">Unix milliseconds.</param>
/// <param name="Description">Free text, or null.</param>
/// <param name="UserId">Who registered it.</param>
/// <param name="CurrentStage">MLflow's stage (None, Staging, Production, Archived), kept for old clients; aliases replace it.</param>
/// <param name="Source">Where the files are: a <c>runs:/</c> URI, an artifact URI or a path.</param>
/// <param name="RunId">The run that produced it, or null.</param>
/// <param name="RunLink">A link to the run, or null.</param>
/// <param name="Status">READY (Kiln registers synchronously), PENDING_REGISTRATION or FAILED_REGISTRATION.</param>
/// <param name="StatusMessage">Why it failed, or null.</param>
/// <param name="Tags">Tags by key.</param>
/// <param name="Aliases">The aliases pointing at this version, sorted.</param>
public sealed record ModelVersion(
    string Name,
    int Version,
    long CreationTime,
    long LastUpdatedTime,
    string? Description,
    string UserId,
    string CurrentStage,
    string Source,
    string? RunId,
    string? RunLink,
    string Status,
    string? StatusMessage,
    IReadOnlyDictionary<string, string> Tags,
    IReadOnlyList<string> Aliases);

/// <summary>What registering a version needs.</summary>
/// <param name="Name">The registered model (must exist).</param>
/// <param name="Source">Where the files are.</param>
/// <param name="RunId">The run that produced them, or null.</param>
/// <param name="RunLink">A link to the run, or null.</param>
/// <param name="Description">Free text, or null.</param>
/// <param name="UserId">Who registers it.</param>
/// <param name="Tags">Initial tags.</param>
public sealed record NewModelVersion(string Name, string Source, string? RunId, string? RunLink, string? Description, string UserId, IReadOnlyDictionary<string, string> Tags);

/// <summary>One move of an alias: set to a version (from the one it held, if any) or deleted.</summary>
/// <param name="Id">Increasing number (order of the moves).</param>
/// <param name="Name">Registered model.</param>
/// <param name="Alias">The alias moved.</param>
/// <param name="Version">The version it points at from now, or null when deleted.</param>
/// <param name="PreviousVersion">The version it pointed at before, or null when it was new.</param>
/// <param name="Time">Unix milliseconds.</param>
/// <param name="UserId">Who moved it.</param>
/// <param name="Action">What did it: <c>set</c>, <c>delete</c>, <c>promote</c>, <c>force-promote</c>, <c>rollback</c>, <c>approve</c>.</param>
/// <param name="Reason">Why (free text), or null.</param>
public sealed record AliasEvent(long Id, string Name, string Alias, int? Version, int? PreviousVersion, long Time, string UserId, string Action, string? Reason);

/// <summary>An alias change to apply: who, why, and (for a compare-and-set) which version the alias must still hold.</summary>
/// <param name="UserId">Who moves it.</param>
/// <param name="Action">See <see cref="AliasEvent.Action"/>.</param>
/// <param name="Reason">Why, or null.</param>
/// <param name="ExpectedVersion">When set, the move succeeds only if the alias still points at this version (0: the alias must not exist); otherwise RESOURCE_CONFLICT.</param>
public sealed record AliasChange(string UserId, string Action, string? Reason, int? ExpectedVersion = null);
