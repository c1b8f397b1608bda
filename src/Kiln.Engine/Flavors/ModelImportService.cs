using Kiln.Core.Registry;
using Kiln.Core.Tracking;
using Kiln.Engine.Registry;
using Kiln.Engine.Tracking;
using Kiln.Engine.Training;

namespace Kiln.Engine.Flavors;

/// <summary>What to import: a model file trained elsewhere and what Kiln should know about it.</summary>
/// <param name="Name">The registered model to add a version to (created when new).</param>
/// <param name="Path">The model file, or a folder with an MLmodel (e.g. one MLflow saved).</param>
/// <param name="Flavor">The flavor, or null to recognise it from the file.</param>
/// <param name="Hints">Feature names, target and classes the file may not carry.</param>
/// <param name="Description">The version's description.</param>
/// <param name="Tags">The version's tags.</param>
/// <param name="Experiment">The experiment the import run goes to.</param>
public sealed record ModelImportRequest(string Name, string Path, string? Flavor, ModelHints Hints, string? Description, IReadOnlyList<Tag> Tags,
    string Experiment = ModelImportService.DefaultExperiment);

/// <summary>
/// Registers a model trained elsewhere (<c>kiln models register NAME FILE [--flavor …]</c>): the file is loaded first
/// (a file Kiln cannot serve is refused before anything is written), packaged with its flavor, signature and target,
/// logged as the <c>model</c> artifact of an import run — so the version has a source run and lineage like a trained
/// one — and registered from <c>runs:/RUN/model</c>.
/// </summary>
public sealed class ModelImportService(ITracking tracking, RegistryService registry, FlavorCatalog flavors, TimeProvider time)
{
    /// <summary>The experiment import runs go to unless another is named.</summary>
    public const string DefaultExperiment = "Imported models";

    /// <summary>Imports and registers; returns the new version and the flavor it loaded as.</summary>
    public async Task<(ModelVersion Version, string Flavor)> ImportAsync(ModelImportRequest request, string user, CancellationToken ct = default)
    {
        var package = Directory.CreateTempSubdirectory("kiln-import-").FullName;
        try
        {
            string flavor;
            using (var loaded = ModelImport.Package(flavors, request.Path, request.Flavor, request.Hints, package, time.GetUtcNow()))
            {
                flavor = loaded.Flavor;
            }
            var experimentId = await tracking.GetOrCreateExperimentAsync(request.Experiment, ct);
            var run = await tracking.CreateRunAsync(experimentId, user, $"import {request.Name} ({flavor})", null,
                [new("mlflow.source.name", "kiln models register"), new("mlflow.source.type", "LOCAL"), new("mlflow.user", user), new("kiln.imported_from", System.IO.Path.GetFullPath(request.Path))], ct);
            var runId = run.Info.RunId;
            try
            {
                await tracking.LogBatchAsync(runId, [], [new("flavor", flavor), new("source_file", System.IO.Path.GetFileName(request.Path))], [], ct);
                await new RunArtifactWriter(tracking, runId).UploadDirectoryAsync(package, "model", ct);
                await tracking.UpdateRunAsync(runId, "FINISHED", time.GetUtcNow().ToUnixTimeMilliseconds(), null, ct);
            }
            catch (Exception e)
            {
                await tracking.EndUnfinishedRunAsync(runId, e, e is OperationCanceledException);
                throw;
            }
            try
            {
                await registry.CreateModelAsync(request.Name, null, [], ct);
            }
            catch (Core.Errors.KilnException e) when (e.Code == Core.Errors.ErrorCode.ResourceAlreadyExists)
            {
                // a new version of an existing model
            }
            List<Tag> tags = [.. request.Tags, new("kiln.flavor", flavor)];
            var version = await registry.CreateVersionAsync(request.Name, $"runs:/{runId}/model", runId, null, request.Description, tags, user, ct);
            return (version, flavor);
        }
        finally
        {
            Directory.Delete(package, recursive: true);
        }
    }

    /// <summary>Whether <paramref name="source"/> names a local model file or folder rather than a model URI.</summary>
    public static bool IsLocalPath(string source) =>
        !source.Contains(":/", StringComparison.Ordinal) && (File.Exists(source) || Directory.Exists(source));

    /// <summary>Splits a comma-separated list option; null stays null.</summary>
    public static IReadOnlyList<string>? List(string? text) =>
        text is null ? null : text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
}
