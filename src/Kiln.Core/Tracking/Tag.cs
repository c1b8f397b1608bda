namespace Kiln.Core.Tracking;

/// <summary>A key/value string pair: a run tag, an experiment tag or a dataset-input tag.</summary>
/// <param name="Key">The tag's key (at most 250 characters); keys starting with <c>mlflow.</c> are MLflow system tags.</param>
/// <param name="Value">The tag's value (at most 8,000 characters).</param>
public sealed record Tag(string Key, string Value);
