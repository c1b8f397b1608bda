using System.Text;
using Kiln.Core.Data;
using Kiln.Core.Errors;
using Kiln.Engine.Data.Validation;
using Kiln.Engine.Tables;
using Kiln.Tabular.Columns;
using Kiln.Tabular.Statistics;

namespace Kiln.Engine.Data;

public sealed partial class DataService
{
    /// <summary>A first schema for a dataset, inferred from a version's tables (their profiles merged when it has several).</summary>
    public async Task<DatasetSchema> InferSchemaAsync(DatasetVersion version, CancellationToken ct = default)
    {
        var profiles = await ProfileAsync(version, ct);
        if (profiles.Count == 0)
        {
            throw KilnException.Invalid($"{version.Dataset} {version.VersionId} holds no CSV or Parquet table: there is no schema to infer.");
        }
        TableProfile merged;
        try
        {
            merged = profiles.Select(p => p.Profile).Aggregate((a, b) => a.Merge(b));
        }
        catch (ArgumentException e)
        {
            throw KilnException.Invalid($"The tables of {version.Dataset} {version.VersionId} disagree, so one schema cannot describe them: {e.Message}");
        }
        var schema = SchemaInference.Infer(merged);
        // a column only some tables have is optional, its missing share not checked
        foreach (var (name, rule) in schema.Columns)
        {
            if (profiles.Any(p => p.Profile.Columns.All(c => c.Name != name)))
            {
                (rule.Required, rule.MaxMissing) = (false, null);
            }
        }
        return schema;
    }

    /// <summary>Saves a schema version for a dataset (checked first: an invalid schema is an error naming the line, and nothing is saved).</summary>
    public async Task<DatasetSchemaVersion> SaveSchemaAsync(string dataset, string yaml, string user, CancellationToken ct = default)
    {
        DatasetSchema.Parse(yaml, $"for '{dataset}'");
        var id = ContentHash.Of(Encoding.UTF8.GetBytes(yaml));
        return await store.AddSchemaAsync(new DatasetSchemaVersion(dataset, id, yaml, time.GetUtcNow().ToUnixTimeMilliseconds(), user), ct);
    }

    /// <summary>A dataset's schema versions, newest first.</summary>
    public Task<IReadOnlyList<DatasetSchemaVersion>> SchemasAsync(string dataset, CancellationToken ct = default) => store.ListSchemasAsync(dataset, ct);

    /// <summary>A dataset's stored validations, newest first (of one version when given).</summary>
    public Task<IReadOnlyList<DatasetValidation>> ValidationsAsync(string dataset, string? versionId, CancellationToken ct = default) =>
        store.ListValidationsAsync(dataset, versionId, ct);

    /// <summary>One stored validation.</summary>
    public Task<DatasetValidation> GetValidationAsync(string id, CancellationToken ct = default) => store.GetValidationAsync(id, ct);

    /// <summary>
    /// Validates a version's tables against a schema (<paramref name="schemaYaml"/>, else the dataset's latest saved one,
    /// else one inferred from <paramref name="against"/> and saved) and, when <paramref name="against"/> is given, compares each
    /// column's distribution and the row count with that reference version. The result is stored with the version.
    /// </summary>
    public async Task<(ValidationResult Result, string? Note)> ValidateAsync(DatasetVersion version, DatasetVersion? against, string? schemaYaml, string user,
        CancellationToken ct = default)
    {
        string? note = null;
        string yaml, schemaId;
        if (schemaYaml is not null)
        {
            DatasetSchema.Parse(schemaYaml, "given");
            (yaml, schemaId) = (schemaYaml, ContentHash.Of(Encoding.UTF8.GetBytes(schemaYaml)));
        }
        else if ((await store.ListSchemasAsync(version.Dataset, ct)).FirstOrDefault() is { } saved)
        {
            (yaml, schemaId) = (saved.Yaml, saved.SchemaId);
        }
        else if (against is not null)
        {
            var inferred = await SaveSchemaAsync(version.Dataset, (await InferSchemaAsync(against, ct)).ToYaml(), user, ct);
            (yaml, schemaId) = (inferred.Yaml, inferred.SchemaId);
            note = $"'{version.Dataset}' had no schema: one was inferred from {against.VersionId} and saved ({schemaId}); edit it with kiln data schema show/save.";
        }
        else
        {
            throw KilnException.Invalid($"'{version.Dataset}' has no schema yet: pass --against VERSION to infer one from a reference version, or save one with kiln data schema infer {version.Dataset} --save.");
        }
        var schema = DatasetSchema.Parse(yaml, schemaId);
        var kinds = schema.Columns.Where(c => c.Value.Type != "numeric")
            .ToDictionary(c => c.Key, c => c.Value.Type == "text" ? ColumnKind.Text : ColumnKind.Categorical, StringComparer.Ordinal);

        var tables = (await FilesAsync(version, ct)).Where(f => TableFiles.IsTable(f.Path)).ToList();
        var references = against is null ? [] : (await FilesAsync(against, ct)).Where(f => TableFiles.IsTable(f.Path)).ToList();
        var anomalies = new List<Anomaly>();
        var comparisons = new List<ColumnComparison>();
        var files = new List<FileRows>();
        if (tables.Count == 0)
        {
            anomalies.Add(new Anomaly("error", "missing_table", "", null, $"{version.VersionId} holds no CSV or Parquet table to validate."));
        }
        foreach (var entry in tables)
        {
            var table = await ReadTableAsync(entry, kinds, ct);
            // the profile kept since the add serves unless the schema made the reader type a column otherwise
            var profile = await ProfileEntryAsync(entry, ct);
            if (table.Columns.Any(c => profile.Columns.FirstOrDefault(p => p.Name == c.Name)?.Kind != c.Kind))
            {
                profile = TableProfile.Compute(table);
            }
            var referenceEntry = references.FirstOrDefault(r => r.Path == entry.Path) ?? (tables.Count == 1 && references.Count == 1 ? references[0] : null);
            var reference = referenceEntry is null ? null : await ProfileEntryAsync(referenceEntry, ct);
            if (reference is not null && referenceEntry is not null && kinds.Count > 0
                && reference.Columns.Any(c => kinds.TryGetValue(c.Name, out var kind) && kind != c.Kind))
            {
                // the schema types a column otherwise than the reader did: compare like with like
                reference = TableProfile.Compute(await ReadTableAsync(referenceEntry, kinds, ct));
            }
            if (against is not null && referenceEntry is null)
            {
                anomalies.Add(new Anomaly("warning", "missing_table", entry.Path, null, $"{against.VersionId} has no table '{entry.Path}' to compare with."));
            }
            var (found, compared) = Validator.Check(schema, entry.Path, table, profile, reference);
            anomalies.AddRange(found);
            comparisons.AddRange(compared);
            files.Add(new FileRows(entry.Path, table.RowCount, referenceEntry?.Path, reference?.RowCount));
        }
        var result = new ValidationResult
        {
            Id = Guid.NewGuid().ToString("N"),
            Dataset = version.Dataset,
            Version = version.VersionId,
            Against = against?.VersionId,
            SchemaId = schemaId,
            CreatedAt = time.GetUtcNow().ToUnixTimeMilliseconds(),
            Files = files,
            Anomalies = [.. anomalies.OrderBy(a => a.Severity == "error" ? 0 : 1)],
            Columns = comparisons,
        };
        await store.AddValidationAsync(new DatasetValidation(result.Id, result.Dataset, result.Version, result.Against, schemaId, result.CreatedAt, user,
            result.Errors, result.Warnings, result.ToJson()), ct);
        return (result, note);
    }
}
