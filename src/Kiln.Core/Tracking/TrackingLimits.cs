namespace Kiln.Core.Tracking;

/// <summary>Input limits, in one place; the values are MLflow's so that clients behave the same against Kiln.</summary>
public static class TrackingLimits
{
    /// <summary>Most metrics in one log-batch.</summary>
    public const int MaxMetricsPerBatch = 1000;

    /// <summary>Most params in one log-batch.</summary>
    public const int MaxParamsPerBatch = 100;

    /// <summary>Most tags in one log-batch.</summary>
    public const int MaxTagsPerBatch = 100;

    /// <summary>Most entities (metrics + params + tags) in one log-batch.</summary>
    public const int MaxEntitiesPerBatch = 1000;

    /// <summary>Longest key of a metric, param or tag.</summary>
    public const int MaxKeyLength = 250;

    /// <summary>Longest param value.</summary>
    public const int MaxParamValueLength = 6000;

    /// <summary>Longest tag value (runs and experiments).</summary>
    public const int MaxTagValueLength = 8000;

    /// <summary>Largest log-batch request body, in bytes.</summary>
    public const int MaxBatchRequestBytes = 1024 * 1024;

    /// <summary>Largest page a search returns.</summary>
    public const int MaxSearchResults = 50_000;

    /// <summary>Page size when none is given.</summary>
    public const int DefaultSearchResults = 1000;

    /// <summary>Largest page of a metric history.</summary>
    public const int MaxMetricHistoryResults = 25_000;

    /// <summary>Longest experiment or run name.</summary>
    public const int MaxNameLength = 500;

    /// <summary>Most values in one <c>IN (…)</c> list of a search filter (databases cap the parameters of a statement).</summary>
    public const int MaxInListValues = 1000;
}
