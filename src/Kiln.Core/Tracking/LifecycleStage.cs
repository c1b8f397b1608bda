namespace Kiln.Core.Tracking;

/// <summary>Whether an experiment or run is live or soft-deleted.</summary>
public enum LifecycleStage
{
    /// <summary>Live: shown by default and writable (MLflow's <c>active</c>).</summary>
    Active,
    /// <summary>Soft-deleted: hidden from default searches and read-only until restored (MLflow's <c>deleted</c>).</summary>
    Deleted,
}

/// <summary>Which lifecycle stages a search returns (MLflow's <c>ViewType</c>).</summary>
public enum ViewType
{
    /// <summary>Only active experiments or runs (<c>ACTIVE_ONLY</c>, the default).</summary>
    ActiveOnly,
    /// <summary>Only soft-deleted experiments or runs (<c>DELETED_ONLY</c>).</summary>
    DeletedOnly,
    /// <summary>Both active and deleted (<c>ALL</c>).</summary>
    All,
}

/// <summary>Wire names for lifecycle enums.</summary>
public static class LifecycleNames
{
    /// <summary>MLflow's name for a stage: <c>active</c> or <c>deleted</c>.</summary>
    public static string WireName(this LifecycleStage stage) => stage == LifecycleStage.Active ? "active" : "deleted";

    /// <summary>Reads a stored stage name: <c>deleted</c> is <see cref="LifecycleStage.Deleted"/>, anything else <see cref="LifecycleStage.Active"/>.</summary>
    public static LifecycleStage ParseStage(string value) => value == "deleted" ? LifecycleStage.Deleted : LifecycleStage.Active;

    /// <summary>MLflow's name for a view type: <c>ACTIVE_ONLY</c>, <c>DELETED_ONLY</c> or <c>ALL</c>.</summary>
    public static string WireName(this ViewType view) => view switch
    {
        ViewType.ActiveOnly => "ACTIVE_ONLY",
        ViewType.DeletedOnly => "DELETED_ONLY",
        _ => "ALL",
    };

    /// <summary>Parses MLflow's view type names (and the proto's numbers 1..3); null means ACTIVE_ONLY.</summary>
    public static ViewType ParseViewType(string? value) => value?.ToUpperInvariant() switch
    {
        null or "" or "ACTIVE_ONLY" or "1" => ViewType.ActiveOnly,
        "DELETED_ONLY" or "2" => ViewType.DeletedOnly,
        "ALL" or "3" => ViewType.All,
        _ => throw Errors.KilnException.Invalid($"Invalid view type '{value}'. Use one of ACTIVE_ONLY, DELETED_ONLY, ALL."),
    };

    /// <summary>The stages a view type covers.</summary>
    public static IReadOnlyList<LifecycleStage> Stages(this ViewType view) => view switch
    {
        ViewType.ActiveOnly => [LifecycleStage.Active],
        ViewType.DeletedOnly => [LifecycleStage.Deleted],
        _ => [LifecycleStage.Active, LifecycleStage.Deleted],
    };
}
