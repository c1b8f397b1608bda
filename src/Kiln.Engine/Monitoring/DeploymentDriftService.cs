using System.Text.Json;
using Kiln.Core.Errors;
using Kiln.Core.Serving;
using Kiln.Engine.Monitoring.Drift;
using Kiln.Engine.Packaging;
using Kiln.Learn.Data;
using Kiln.Tabular;
using Kiln.Tabular.Columns;
using Kiln.Tabular.Statistics;

namespace Kiln.Engine.Monitoring;

/// <summary>A deployment's drift over a window of its prediction log.</summary>
/// <param name="Deployment">The deployment.</param>
/// <param name="Route">The route whose traffic was compared.</param>
/// <param name="Model">The model reference the route serves, whose training profile is the reference.</param>
/// <param name="From">The window's start (Unix milliseconds).</param>
/// <param name="To">The window's end (Unix milliseconds).</param>
/// <param name="Rows">Logged rows in the window.</param>
/// <param name="Report">Drift per feature and for the data set.</param>
public sealed record DeploymentDrift(string Deployment, string Route, string Model, long From, long To, int Rows, DriftReport Report);

/// <summary>What a route's traffic is compared with.</summary>
/// <param name="Route">The route.</param>
/// <param name="Served">The model the route serves.</param>
/// <param name="Reference">The reference profile of its inputs.</param>
/// <param name="PredictionReference">The profile of its predictions on its training rows, or null.</param>
public sealed record MonitorContext(string Route, Serving.ServedModel Served, TableProfile Reference, TableProfile? PredictionReference);

/// <summary>A window of one route's logged traffic, ready to monitor.</summary>
/// <param name="Deployment">The deployment.</param>
/// <param name="Route">The route.</param>
/// <param name="Served">The model the route serves (its schema types the inputs).</param>
/// <param name="Reference">The reference profile.</param>
/// <param name="From">The window's start (Unix milliseconds).</param>
/// <param name="To">The window's end (Unix milliseconds).</param>
/// <param name="Records">The logged rows, oldest first.</param>
/// <param name="Inputs">Their features as a table typed by the model's schema.</param>
/// <param name="PredictionReference">The profile of the model's predictions on its training rows (null: the package has none).</param>
public sealed record LogWindow(string Deployment, string Route, Serving.ServedModel Served, TableProfile Reference, long From, long To,
    IReadOnlyList<PredictionRecord> Records, Table Inputs, TableProfile? PredictionReference = null);

/// <summary>
/// Drift of a deployment's live inputs: the rows its prediction log holds for a window (one route's answering traffic;
/// shadows excluded), typed by the model's signature and profiled, against the training profile the model's package
/// carries (or a profile given as the reference) — the same <see cref="DriftCalculator"/> as <c>kiln monitor drift</c>.
/// </summary>
public sealed class DeploymentDriftService(IDeploymentStore deployments, IPredictionLog log, ModelLocator locator, Serving.ServedModels served, Data.DataService data,
    TimeProvider time)
{
    /// <summary>The most rows one window reads: the window's newest ones.</summary>
    public const int MaxWindowRows = 1_000_000;

    /// <summary>Compares the last <paramref name="window"/> of <paramref name="deployment"/>'s traffic with its reference.</summary>
    /// <param name="deployment">The deployment.</param>
    /// <param name="window">How far back from now.</param>
    /// <param name="route">The route (default: the first answering route).</param>
    /// <param name="reference">A reference profile to use instead of the model's training profile.</param>
    /// <param name="options">Methods, thresholds, the data set share.</param>
    /// <param name="ct">Cancels.</param>
    public async Task<DeploymentDrift> ComputeAsync(string deployment, TimeSpan window, string? route, TableProfile? reference, DriftOptions? options, CancellationToken ct = default)
    {
        var w = await LoadAsync(deployment, window, route, reference, ct);
        return Drift(w, options);
    }

    /// <summary>The drift of a loaded window against its reference.</summary>
    public static DeploymentDrift Drift(LogWindow w, DriftOptions? options) =>
        new(w.Deployment, w.Route, w.Served.Reference, w.From, w.To, w.Records.Count, Compare(w.Reference, TableProfile.Compute(w.Inputs), w.Served.Model.Schema, options));

    /// <summary>The model's features (or the options' columns) that the reference has, compared.</summary>
    internal static DriftReport Compare(TableProfile reference, TableProfile current, ModelSchema schema, DriftOptions? options)
    {
        var names = schema.Features.Select(f => f.Name).ToList();
        return DriftCalculator.Compare(reference, current, (options ?? DriftOptions.Default) with
        {
            Columns = (options?.Columns ?? names).Where(n => reference.Columns.Any(c => c.Name == n)).ToList(),
        });
    }

    /// <summary>
    /// The last <paramref name="window"/> of <paramref name="deployment"/>'s logged traffic on one route (default: the first
    /// answering route; shadows excluded; its newest <paramref name="maxRows"/>, default <see cref="MaxWindowRows"/>), its
    /// inputs typed by the served model's schema, and the reference to compare them with (the model package's training
    /// profile unless <paramref name="reference"/> is given).
    /// </summary>
    public async Task<LogWindow> LoadAsync(string deployment, TimeSpan window, string? route, TableProfile? reference, CancellationToken ct = default, int? maxRows = null)
    {
        if (window <= TimeSpan.Zero)
        {
            throw KilnException.Invalid($"The window must be longer than zero (e.g. 1h, 24h), not {window}.");
        }
        var c = await ContextAsync(deployment, route, reference, ct);
        var to = time.GetUtcNow().ToUnixTimeMilliseconds();
        var from = to - (long)window.TotalMilliseconds;
        var records = await log.ReadLatestAsync(deployment, c.Route, from, maxRows ?? MaxWindowRows, ct);
        return new LogWindow(deployment, c.Route, c.Served, c.Reference, from, to, records, Rows(records, c.Served.Model.Schema), c.PredictionReference);
    }

    /// <summary>The stored profile of the table a <c>datasets:/NAME/VERSION[/FILE]</c> reference names (a version of one table
    /// needs no FILE).</summary>
    private async Task<TableProfile> DatasetProfileAsync(string reference, CancellationToken ct)
    {
        var parsed = Data.DatasetReference.Parse(reference);
        var version = await data.GetVersionAsync(parsed.Name, parsed.Version, ct);
        var tables = await data.ProfileAsync(version, ct);
        return parsed.File is { } file
            ? tables.FirstOrDefault(t => t.Path == file).Profile ?? throw KilnException.NotFound(
                $"{reference} names no table: {parsed.Name} {parsed.Version} holds {string.Join(", ", tables.Select(t => t.Path))}.")
            : tables.Count == 1 ? tables[0].Profile : throw KilnException.Invalid(
                $"{parsed.Name} {parsed.Version} holds {tables.Count} tables ({string.Join(", ", tables.Select(t => t.Path).Take(10))}): name one, datasets:/{parsed.Name}/{parsed.Version}/FILE.");
    }

    /// <summary>What monitoring compares a route's traffic with: the route (default: the first answering one), the model
    /// this process serves for it, the reference profile (given, else the route's reference data set, else the package's
    /// training profile) and the profile
    /// of the model's predictions on its training rows (null when the package has none).</summary>
    public async Task<MonitorContext> ContextAsync(string deployment, string? route, TableProfile? reference, CancellationToken ct = default)
    {
        var found = await deployments.GetAsync(deployment, ct);
        var picked = route is null ? found.Routes.First(r => !r.Shadow)
            : found.Routes.FirstOrDefault(r => r.Name == route) ?? throw KilnException.NotFound(
                $"Deployment '{deployment}' has no route '{route}': its routes are {string.Join(", ", found.Routes.Select(r => r.Name))}.");
        // the model this process serves (loaded once, not again per report)
        var model = await served.GetAsync(picked.Model, ct);
        TableProfile? predictionReference = null;
        if (reference is null && picked.Reference is { } dataset)
        {
            reference = await DatasetProfileAsync(dataset, ct); // the route's own reference data set
        }
        // the package: its training profile (the reference unless one was given) and the profile of its predictions
        var (directory, temporary) = await locator.ResolveAsync(picked.Model, ct);
        try
        {
            if (reference is null)
            {
                var profile = Path.Combine(directory, ModelPackage.ProfileFile);
                reference = File.Exists(profile) ? TableProfile.FromJson(await File.ReadAllTextAsync(profile, ct))
                    : throw KilnException.Invalid($"The model on route '{picked.Name}' ({picked.Model}) carries no training profile (it was trained elsewhere): " +
                        "give the route a reference (kiln deploy update … --reference datasets:/NAME/VERSION), or compare on demand with kiln monitor drift --deployment … --reference ….");
            }
            var predictions = Path.Combine(directory, ModelPackage.PredictionProfileFile);
            predictionReference = File.Exists(predictions) ? TableProfile.FromJson(await File.ReadAllTextAsync(predictions, ct)) : null;
        }
        finally
        {
            if (temporary)
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        return new MonitorContext(picked.Name, model, reference, predictionReference);
    }

    /// <summary>The logged rows' features as a table typed by the model's schema (numbers as doubles, categories as text).</summary>
    internal static Table Rows(IReadOnlyList<PredictionRecord> records, ModelSchema schema)
    {
        var features = schema.Features;
        var index = features.Select((f, i) => (f.Name, i)).ToDictionary(x => x.Name, x => x.i, StringComparer.Ordinal);
        var numbers = features.Select(f => f.Kind == FeatureKind.Numeric ? new double[records.Count] : null).ToArray();
        var texts = features.Select(f => f.Kind == FeatureKind.Categorical ? new string?[records.Count] : null).ToArray();
        for (var r = 0; r < records.Count; r++)
        {
            foreach (var column in numbers)
            {
                if (column is not null)
                {
                    column[r] = double.NaN;
                }
            }
            using var doc = JsonDocument.Parse(records[r].Inputs);
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                if (!index.TryGetValue(property.Name, out var f))
                {
                    continue;
                }
                var v = property.Value;
                if (numbers[f] is { } column)
                {
                    column[r] = v.ValueKind == JsonValueKind.Number ? v.GetDouble() : double.NaN;
                }
                else
                {
                    texts[f]![r] = v.ValueKind == JsonValueKind.String ? v.GetString() : v.ValueKind == JsonValueKind.Null ? null : v.GetRawText();
                }
            }
        }
        return new Table([.. features.Select((feature, f) => numbers[f] is { } values
            ? (Column)new Float64Column(feature.Name, values)
            : CategoricalColumn.FromValues(feature.Name, texts[f]!))]);
    }
}
