namespace Kiln.Core.Tracking;

/// <summary>A dataset some run of an experiment used, and in which context (MLflow's <c>experiments/search-datasets</c>).</summary>
/// <param name="ExperimentId">The experiment.</param>
/// <param name="Name">The dataset's name.</param>
/// <param name="Digest">The dataset's digest.</param>
/// <param name="Context">The input's <c>mlflow.data.context</c> tag (e.g. training), or null when it has none.</param>
public sealed record DatasetSummary(string ExperimentId, string Name, string Digest, string? Context);

/// <summary>One point of a metric's history and the run it belongs to (MLflow's bulk history routes).</summary>
/// <param name="RunId">The run.</param>
/// <param name="Metric">The point.</param>
public sealed record RunMetric(string RunId, Metric Metric);
