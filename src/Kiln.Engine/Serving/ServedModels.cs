using System.Collections.Concurrent;
using Kiln.Core.Registry;
using Kiln.Core.Serving;
using Kiln.Engine.Flavors;
using Kiln.Engine.Packaging;
using Kiln.Engine.Registry;
using Kiln.Learn.Data;
using Kiln.Tabular;
using Kiln.Tabular.Columns;

namespace Kiln.Engine.Serving;

/// <summary>A loaded model and what it was loaded as.</summary>
/// <param name="Reference">The reference routes name (e.g. <c>models:/loans@champion</c>).</param>
/// <param name="Version">The registered version it resolved to, or null for a <c>runs:/</c> reference.</param>
/// <param name="Model">The predictor, of whatever flavor the package holds.</param>
/// <param name="LoadedAt">Unix milliseconds.</param>
public sealed record ServedModel(string Reference, ModelVersion? Version, IPredictor Model, long LoadedAt)
{
    private readonly ConcurrentDictionary<RouteBatching, ModelBatcher> _batchers = new();

    /// <summary>Predicts <paramref name="rows"/>: batched with concurrent requests when the model gains from it and the
    /// route's <paramref name="batching"/> allows (<see cref="ModelBatcher"/>), else at once, on this thread alone when
    /// <paramref name="serial"/> (other requests keep the cores busy: splitting this one would only add hand-offs).</summary>
    public Task<double[]> PredictAsync(Table rows, RouteBatching? batching, CancellationToken ct, bool serial = false)
    {
        var settings = batching ?? RouteBatching.Default;
        return !Model.GainsFromBatching || settings.MaxRows <= 1
            ? Task.FromResult(Model.Predict(rows, serial ? 1 : -1, ct))
            : _batchers.GetOrAdd(settings, s => new ModelBatcher(Model, s)).PredictAsync(rows, ct);
    }

    /// <summary>The batchers' counters: rows predicted and calls made (rows/calls is the mean batch size).</summary>
    public (long Rows, long Calls) BatchCounters => _batchers.Values.Aggregate((0L, 0L), (sum, b) => (sum.Item1 + b.Counters.Rows, sum.Item2 + b.Counters.Calls));
}

/// <summary>
/// The models routes serve, loaded once per reference and kept current: <see cref="RefreshAsync"/> re-resolves every
/// <c>models:/</c> reference and, when its alias has moved, loads and warms the new version and swaps it in atomically. A
/// version that fails to load never replaces a working one; the failure is kept in <see cref="Failures"/>. A replaced
/// predictor is released after <see cref="ReleaseDelay"/>, once requests that picked it up have finished.
/// </summary>
public sealed class ServedModels(ModelLocator locator, IModelFiles? models, TimeProvider time, FlavorCatalog flavors)
{
    /// <summary>How long a replaced predictor stays alive for requests still using it.</summary>
    public static readonly TimeSpan ReleaseDelay = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, Lazy<Task<ServedModel>>> _loaded = new(StringComparer.Ordinal);

    /// <summary>The last load failure per reference (cleared by a successful load).</summary>
    public ConcurrentDictionary<string, string> Failures { get; } = new(StringComparer.Ordinal);

    /// <summary>The model a reference serves now, loading it on first use.</summary>
    public async Task<ServedModel> GetAsync(string reference, CancellationToken ct = default)
    {
        var lazy = _loaded.GetOrAdd(reference, r => new Lazy<Task<ServedModel>>(() => LoadAsync(r, CancellationToken.None)));
        try
        {
            return await lazy.Value.WaitAsync(ct);
        }
        catch (Exception) when (lazy.Value.IsFaulted)
        {
            _loaded.TryRemove(new KeyValuePair<string, Lazy<Task<ServedModel>>>(reference, lazy)); // the next request tries again
            throw;
        }
    }

    /// <summary>Everything loaded now.</summary>
    public IReadOnlyList<ServedModel> Loaded => [.. _loaded.Values.Where(l => l.IsValueCreated && l.Value.IsCompletedSuccessfully).Select(l => l.Value.Result)];

    /// <summary>Re-resolves every loaded <c>models:/</c> reference; swaps in what moved. Returns how many were swapped.</summary>
    public async Task<int> RefreshAsync(CancellationToken ct = default)
    {
        var swapped = 0;
        foreach (var served in Loaded.Where(s => ModelUri.Is(s.Reference) && models is not null))
        {
            try
            {
                var (version, _, _) = await models!.LocateAsync(served.Reference, ct);
                if (version.Version == served.Version?.Version && version.Name == served.Version?.Name)
                {
                    continue;
                }
                var fresh = await LoadAsync(served.Reference, ct); // loaded and warmed before anyone sees it
                _loaded[served.Reference] = new Lazy<Task<ServedModel>>(Task.FromResult(fresh));
                swapped++;
                _ = ReleaseLaterAsync(served.Model);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Failures[served.Reference] = $"{time.GetUtcNow():u}: {e.Message} (still serving {(served.Version is { } v ? $"version {v.Version}" : served.Reference)})";
            }
        }
        return swapped;
    }

    private async Task<ServedModel> LoadAsync(string reference, CancellationToken ct)
    {
        try
        {
            ModelVersion? version = null;
            var target = reference;
            if (ModelUri.Is(reference) && models is not null)
            {
                version = (await models.LocateAsync(reference, ct)).Version;
                target = $"models:/{version.Name}/{version.Version}"; // exactly the version resolved, even if the alias moves meanwhile
            }
            var (directory, temporary) = await locator.ResolveAsync(target, ct);
            try
            {
                var model = flavors.Load(directory);
                try
                {
                    Warm(model);
                }
                catch
                {
                    model.Dispose();
                    throw;
                }
                Failures.TryRemove(reference, out _);
                return new ServedModel(reference, version, model, time.GetUtcNow().ToUnixTimeMilliseconds());
            }
            finally
            {
                if (temporary)
                {
                    Directory.Delete(directory, recursive: true);
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // a reference that no longer resolves (a deleted version, missing files) is reported like a bad package
            Failures[reference] = $"{time.GetUtcNow():u}: {e.Message}";
            throw;
        }
    }

    private async Task ReleaseLaterAsync(IPredictor replaced)
    {
        await Task.Delay(ReleaseDelay, time);
        replaced.Dispose();
    }

    /// <summary>One prediction on a row of zeros (first categories), so the first request does not pay for lazy work and
    /// a model that cannot predict never starts serving.</summary>
    private static void Warm(IPredictor model)
    {
        var columns = model.Schema.Features.Select(f => f.Kind == FeatureKind.Categorical
            ? (Column)CategoricalColumn.FromValues(f.Name, [f.Categories.Count > 0 ? f.Categories[0] : null])
            : new Float64Column(f.Name, [0.0]));
        model.Predict(new Table([.. columns]));
    }
}
