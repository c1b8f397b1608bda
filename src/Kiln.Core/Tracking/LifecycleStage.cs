namespace Kiln.Core.Tracking;

/// <summary>Whether an experiment or run is live or soft-deleted.</summary>
public enum LifecycleStage
{
    Active,
    Deleted,
}

/// <summary>Which lifecycle stages a search returns (MLflow's <c>ViewType</c>).</summary>
public enum ViewType
{
    ActiveOnly,
    DeletedOnly,
    All,
}

/// <summary>Wire names for lifecycle enums.</summary>
public static class LifecycleNames
{
    public static string WireName(this LifecycleStage stage) => stage == LifecycleStage.Active ? "active" : "deleted";

    public static LifecycleStage ParseStage(string value) => value == "deleted" ? LifecycleStage.Deleted : LifecycleStage.Active;

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
