namespace Kiln.Core.Search;

/// <summary>What a filter or order-by key refers to.</summary>
public enum SearchEntity
{
    /// <summary><c>metrics.key</c>: a run's latest value of a metric (numeric).</summary>
    Metric,
    /// <summary><c>params.key</c>: a run parameter (string).</summary>
    Param,
    /// <summary><c>tags.key</c>: a run or experiment tag (string).</summary>
    Tag,
    /// <summary><c>attributes.key</c> (or a bare key): a built-in field such as <c>status</c>, <c>start_time</c> or <c>name</c>.</summary>
    Attribute,
    /// <summary><c>datasets.key</c>: a run input dataset's name, digest or context (runs only).</summary>
    Dataset,
}

/// <summary>The keys a search may name, which differ between runs and experiments.</summary>
/// <param name="Entities">The entities a key may refer to.</param>
/// <param name="StringAttributes">String attributes usable in filters: accepted name (alias) → canonical name.</param>
/// <param name="NumericAttributes">Numeric attributes usable in filters (timestamps, Unix milliseconds): accepted name (alias) → canonical name.</param>
/// <param name="OrderableAttributes">Canonical attribute names usable in order-by.</param>
public sealed record SearchSchema(
    IReadOnlySet<SearchEntity> Entities,
    IReadOnlyDictionary<string, string> StringAttributes,
    IReadOnlyDictionary<string, string> NumericAttributes,
    IReadOnlySet<string> OrderableAttributes)
{
    /// <summary>Runs: metrics, params, tags, attributes and datasets. Maps alias → canonical attribute name.</summary>
    public static SearchSchema Runs { get; } = new(
        new HashSet<SearchEntity> { SearchEntity.Metric, SearchEntity.Param, SearchEntity.Tag, SearchEntity.Attribute, SearchEntity.Dataset },
        new Dictionary<string, string>
        {
            ["run_id"] = "run_id", ["run_name"] = "run_name", ["status"] = "status", ["user_id"] = "user_id",
            ["artifact_uri"] = "artifact_uri", ["lifecycle_stage"] = "lifecycle_stage",
        },
        new Dictionary<string, string> { ["start_time"] = "start_time", ["end_time"] = "end_time", ["created"] = "start_time", ["Created"] = "start_time" },
        new HashSet<string> { "run_id", "run_name", "status", "user_id", "artifact_uri", "start_time", "end_time", "experiment_id", "lifecycle_stage" });

    /// <summary>Experiments: attributes and tags.</summary>
    public static SearchSchema Experiments { get; } = new(
        new HashSet<SearchEntity> { SearchEntity.Tag, SearchEntity.Attribute },
        new Dictionary<string, string> { ["name"] = "name" },
        new Dictionary<string, string> { ["creation_time"] = "creation_time", ["last_update_time"] = "last_update_time" },
        new HashSet<string> { "name", "experiment_id", "creation_time", "last_update_time" });

    /// <summary>Registered models: <c>name</c> and tags (MLflow's search_registered_models grammar).</summary>
    public static SearchSchema RegisteredModels { get; } = new(
        new HashSet<SearchEntity> { SearchEntity.Tag, SearchEntity.Attribute },
        new Dictionary<string, string> { ["name"] = "name" },
        new Dictionary<string, string> { ["creation_timestamp"] = "creation_timestamp", ["last_updated_timestamp"] = "last_updated_timestamp" },
        new HashSet<string> { "name", "creation_timestamp", "last_updated_timestamp", "timestamp" });

    /// <summary>Model versions: name, version number, run id, source path, timestamps and tags (MLflow's search_model_versions grammar).</summary>
    public static SearchSchema ModelVersions { get; } = new(
        new HashSet<SearchEntity> { SearchEntity.Tag, SearchEntity.Attribute },
        new Dictionary<string, string> { ["name"] = "name", ["run_id"] = "run_id", ["source_path"] = "source_path", ["current_stage"] = "current_stage", ["user_id"] = "user_id" },
        new Dictionary<string, string>
        {
            ["version_number"] = "version_number", ["creation_timestamp"] = "creation_timestamp", ["last_updated_timestamp"] = "last_updated_timestamp",
        },
        new HashSet<string> { "name", "version_number", "creation_timestamp", "last_updated_timestamp", "timestamp", "run_id", "source_path", "current_stage" });

    /// <summary>Whether a canonical attribute name is numeric.</summary>
    public bool IsNumericAttribute(string key) => NumericAttributes.Values.Contains(key);

    /// <summary>Whether a canonical attribute name is a string.</summary>
    public bool IsStringAttribute(string key) => StringAttributes.Values.Contains(key);

    /// <summary>Dataset keys usable in run filters.</summary>
    public static IReadOnlySet<string> DatasetKeys { get; } = new HashSet<string> { "name", "digest", "context" };
}
