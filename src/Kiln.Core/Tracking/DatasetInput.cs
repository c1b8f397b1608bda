namespace Kiln.Core.Tracking;

/// <summary>A dataset as MLflow describes it: name + digest identify it within an experiment.</summary>
public sealed record Dataset(string Name, string Digest, string SourceType, string Source, string? Schema, string? Profile);

/// <summary>A dataset a run read, with tags such as <c>mlflow.data.context</c> = training.</summary>
public sealed record DatasetInput(Dataset Dataset, IReadOnlyList<Tag> Tags);
