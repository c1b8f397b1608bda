namespace Kiln.Core.Tracking;

/// <summary>A key/value string pair: a run tag, an experiment tag or a dataset-input tag.</summary>
public sealed record Tag(string Key, string Value);
