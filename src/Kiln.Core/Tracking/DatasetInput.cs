namespace Kiln.Core.Tracking;

/// <summary>A dataset as MLflow describes it: name + digest identify it within an experiment.</summary>
/// <param name="Name">The dataset's name.</param>
/// <param name="Digest">A short hash of the dataset's content, telling versions apart.</param>
/// <param name="SourceType">The kind of source, e.g. <c>local</c>, <c>http</c> or <c>delta_table</c>.</param>
/// <param name="Source">Where the data came from, as MLflow's JSON description of the source.</param>
/// <param name="Schema">The dataset's schema as JSON, or null.</param>
/// <param name="Profile">Summary statistics (e.g. row count) as JSON, or null.</param>
public sealed record Dataset(string Name, string Digest, string SourceType, string Source, string? Schema, string? Profile);

/// <summary>A dataset a run read, with tags such as <c>mlflow.data.context</c> = training.</summary>
/// <param name="Dataset">The dataset that was read.</param>
/// <param name="Tags">Tags on this use of the dataset, e.g. <c>mlflow.data.context</c>.</param>
public sealed record DatasetInput(Dataset Dataset, IReadOnlyList<Tag> Tags);
