using System.Globalization;
using Kiln.Core.Data;
using Kiln.Core.Errors;
using Kiln.Core.Registry;
using Kiln.Core.Tracking;
using Kiln.Engine.Data;
using Kiln.Engine.Evaluation;
using Kiln.Engine.Tracking;

namespace Kiln.Engine.Registry;

/// <summary>A dataset a run read, with its version's validations when it is a Kiln dataset version.</summary>
/// <param name="Name">The dataset's name.</param>
/// <param name="Digest">Its digest (a Kiln version id for versioned datasets).</param>
/// <param name="Context">training, validation or evaluation.</param>
/// <param name="Versioned">Whether it is a Kiln dataset version (<c>datasets:/NAME/DIGEST</c>).</param>
/// <param name="Validations">That version's stored validations, newest first.</param>
public sealed record DatasetLink(string Name, string Digest, string Context, bool Versioned, IReadOnlyList<DatasetValidation> Validations);

/// <summary>
/// Where a model version came from and what was decided about it: the version → its source run → the dataset versions
/// that run read (with their validation results); the evaluations of the version, its gate verdicts and alias moves.
/// Deployments join it later.
/// </summary>
public sealed record ModelLineage(ModelVersion Version, Run? SourceRun, IReadOnlyList<DatasetLink> Datasets, IReadOnlyList<(Run Run, IReadOnlyList<DatasetLink> Data)> Evaluations,
    IReadOnlyList<GateVerdict> Verdicts, IReadOnlyList<AliasEvent> AliasMoves)
{
    /// <summary>Builds the lineage of one version.</summary>
    public static async Task<ModelLineage> BuildAsync(RegistryService registry, IRegistryStore store, ITracking tracking, IDataStore? data, string name, int version,
        CancellationToken ct = default)
    {
        var found = await registry.GetVersionAsync(name, version.ToString(CultureInfo.InvariantCulture), ct);
        Run? source = null;
        if (found.RunId is { } runId)
        {
            try
            {
                source = await tracking.GetRunAsync(runId, ct);
            }
            catch (KilnException e) when (e.Code == ErrorCode.ResourceDoesNotExist)
            {
                // registered from a run this store does not hold (MLflow allows any run id)
            }
        }
        var evaluations = new List<(Run, IReadOnlyList<DatasetLink>)>();
        foreach (var run in await Lineage.RunsMatchingAsync(tracking,
            $"tags.`{EvaluationService.ModelNameTag}` = '{found.Name.Replace("'", "\\'", StringComparison.Ordinal)}' AND tags.`{EvaluationService.ModelVersionTag}` = '{version}'", ct))
        {
            evaluations.Add((run, await LinksAsync(run, data, ct)));
        }
        return new ModelLineage(found, source, source is null ? [] : await LinksAsync(source, data, ct), evaluations,
            await store.ListVerdictsAsync(found.Name, version, ct), [.. (await store.AliasHistoryAsync(found.Name, null, ct)).Where(e => e.Version == version || e.PreviousVersion == version)]);
    }

    private static async Task<IReadOnlyList<DatasetLink>> LinksAsync(Run run, IDataStore? data, CancellationToken ct)
    {
        var links = new List<DatasetLink>();
        foreach (var input in run.Inputs)
        {
            var context = input.Tags.FirstOrDefault(t => t.Key == "mlflow.data.context")?.Value ?? "";
            var versioned = input.Dataset.SourceType == "kiln-dataset";
            IReadOnlyList<DatasetValidation> validations = [];
            if (versioned && data is not null)
            {
                try
                {
                    validations = await data.ListValidationsAsync(input.Dataset.Name, input.Dataset.Digest, ct);
                }
                catch (KilnException e) when (e.Code == ErrorCode.ResourceDoesNotExist)
                {
                    // the dataset is not in this store
                }
            }
            links.Add(new DatasetLink(input.Dataset.Name, input.Dataset.Digest, context, versioned, validations));
        }
        return links;
    }
}
