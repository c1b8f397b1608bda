namespace Kiln.Core.Data;

/// <summary>One saved version of a dataset's validation schema (YAML), identified by the hash of its text.</summary>
/// <param name="Dataset">The dataset's name.</param>
/// <param name="SchemaId">The hash of the YAML, e.g. <c>blake3:…</c>.</param>
/// <param name="Yaml">The schema as saved.</param>
/// <param name="CreatedAt">When it was saved, in Unix milliseconds.</param>
/// <param name="UserId">Who saved it.</param>
public sealed record DatasetSchemaVersion(string Dataset, string SchemaId, string Yaml, long CreatedAt, string UserId);

/// <summary>A stored validation of a dataset version: who ran it, against what, how many anomalies, and the full result as JSON.</summary>
/// <param name="Id">The validation's id (32 hex characters).</param>
/// <param name="Dataset">The dataset's name.</param>
/// <param name="VersionId">The version validated.</param>
/// <param name="AgainstVersionId">The reference version distributions were compared with, if any.</param>
/// <param name="SchemaId">The schema version used.</param>
/// <param name="CreatedAt">When, in Unix milliseconds.</param>
/// <param name="UserId">Who ran it.</param>
/// <param name="Errors">How many anomalies were errors.</param>
/// <param name="Warnings">How many were warnings.</param>
/// <param name="ResultJson">The whole result (anomalies with evidence, per-column comparisons) as JSON.</param>
public sealed record DatasetValidation(string Id, string Dataset, string VersionId, string? AgainstVersionId, string SchemaId, long CreatedAt, string UserId,
    int Errors, int Warnings, string ResultJson);
