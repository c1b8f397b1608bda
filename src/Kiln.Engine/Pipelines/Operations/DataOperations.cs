using Kiln.Engine.Data;
using Kiln.Engine.Pipelines.Execution;

namespace Kiln.Engine.Pipelines.Operations;

/// <summary><c>data.add</c>: a file or folder as a new version of a data set (unchanged content gives the same version).</summary>
/// <param name="data">Data sets.</param>
public sealed class DataAddOperation(DataService data) : IStepOperation
{
    /// <inheritdoc />
    public string Name => "data.add";

    /// <inheritdoc />
    public Task<IReadOnlyList<string>?> StateAsync(StepContext step, CancellationToken ct) => Task.FromResult<IReadOnlyList<string>?>([]);

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, string>> RunAsync(StepContext step, CancellationToken ct)
    {
        var (version, created, stored) = await data.AddAsync(step.Required("name"), step.Required("path"), step.Get("description") ?? $"pipeline {step.Run.Pipeline} run {step.Run.Id}",
            step.User, null, ct);
        foreach (var (key, value) in step.Group("tags"))
        {
            await data.TagAsync(version.Dataset, version.VersionId, key, value, ct);
        }
        step.Log.WriteLine($"{(created ? "new version" : "unchanged: version")} datasets:/{version.Dataset}/{version.VersionId} ({version.FileCount} file(s), {stored} object(s) stored)");
        return new Dictionary<string, string>
        {
            ["dataset"] = $"datasets:/{version.Dataset}/{version.VersionId}", ["version"] = version.VersionId, ["changed"] = created ? "true" : "false",
        };
    }
}

/// <summary>
/// <c>data.validate</c>: a data set version against its schema (<c>rules:</c> a schema file, else the saved one) and a
/// reference version (<c>reference:</c>, else the version before it). Fails the step on errors (<c>fail_on: error</c>, the
/// default), on warnings too (<c>warning</c>), or never (<c>never</c>: <c>passed</c> tells).
/// </summary>
/// <param name="data">Data sets.</param>
public sealed class DataValidateOperation(DataService data) : IStepOperation
{
    /// <inheritdoc />
    public string Name => "data.validate";

    /// <inheritdoc />
    public Task<IReadOnlyList<string>?> StateAsync(StepContext step, CancellationToken ct) => Task.FromResult<IReadOnlyList<string>?>([]);

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, string>> RunAsync(StepContext step, CancellationToken ct)
    {
        var reference = DatasetReference.Parse(step.Required("dataset"));
        var version = await data.GetVersionAsync(reference.Name, reference.Version, ct);
        Core.Data.DatasetVersion? against = null;
        if (step.Get("reference") is { } given)
        {
            var r = DatasetReference.Parse(given);
            against = await data.GetVersionAsync(r.Name, r.Version, ct);
        }
        else
        {
            // The version added just before this one, when there is one.
            against = (await data.VersionsAsync(version.Dataset, ct)).Where(v => v.VersionId != version.VersionId && v.CreatedAt <= version.CreatedAt)
                .OrderByDescending(v => v.CreatedAt).FirstOrDefault();
        }
        var rules = step.Get("rules") is { } file ? await File.ReadAllTextAsync(file, ct) : null;
        if (rules is null && against is null && (await data.SchemasAsync(version.Dataset, ct)).Count == 0)
        {
            // The data set's first version: nothing to compare with, so it defines the schema later versions are held to.
            var inferred = await data.SaveSchemaAsync(version.Dataset, (await data.InferSchemaAsync(version, ct)).ToYaml(), step.User, ct);
            step.Log.WriteLine($"first version of {version.Dataset}: saved the schema inferred from it ({inferred.SchemaId}) for later versions.");
        }
        var (result, note) = await data.ValidateAsync(version, against, rules, step.User, ct);
        if (note is not null)
        {
            step.Log.WriteLine(note);
        }
        step.Log.WriteLine($"validation {result.Id}: {result.Errors} error(s), {result.Warnings} warning(s){(against is null ? "" : $" against {against.VersionId[..Math.Min(19, against.VersionId.Length)]}")}");
        foreach (var anomaly in result.Anomalies)
        {
            step.Log.WriteLine($"  {anomaly.Severity}: {anomaly.Type} {anomaly.Column} {anomaly.Description}");
        }
        var failOn = step.Get("fail_on") ?? "error";
        var failed = failOn switch
        {
            "error" => result.Errors > 0,
            "warning" => result.Errors + result.Warnings > 0,
            "never" => false,
            _ => throw new StepRejectedException($"fail_on is '{failOn}': use error, warning or never."),
        };
        if (failed)
        {
            throw new StepRejectedException($"datasets:/{version.Dataset}/{version.VersionId} failed validation {result.Id}: {result.Errors} error(s), {result.Warnings} warning(s)"
                + (result.Anomalies.FirstOrDefault() is { } first ? $" (first: {first.Type} {first.Column}: {first.Description})" : "") + ".");
        }
        return new Dictionary<string, string> { ["passed"] = result.Passed ? "true" : "false", ["report"] = result.Id };
    }
}
