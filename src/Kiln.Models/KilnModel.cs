using Kiln.Client;
using Kiln.Core.Errors;
using Kiln.Engine.Packaging;
using Kiln.Engine.Tracking;
using Kiln.Engine.Tracking.Remote;
using Kiln.Learn;
using Kiln.Learn.Data;

namespace Kiln.Models;

/// <summary>
/// A Kiln model loaded into the process: its schema and a scorer for typed rows (<see cref="CreateScorer{TRow}"/>).
/// Load it once at start-up and share it: it is immutable and safe to use from many threads.
/// </summary>
/// <example>
/// <code>
/// var model = await KilnModel.LoadAsync("runs:/3f2a…/model", new Uri("http://mlops:5000"));
/// var scorer = model.CreateScorer&lt;LoanApplication&gt;();
/// double approval = scorer.Predict(new LoanApplication { Income = 0.8, Debt = 0.1, Region = "north" });
/// </code>
/// </example>
public sealed class KilnModel
{
    private KilnModel(TrainedModel model) => Model = model;

    /// <summary>The fitted model (one-row and batch prediction over feature values).</summary>
    public TrainedModel Model { get; }

    /// <summary>The task, target, features (in order, with their categories) and classes.</summary>
    public ModelSchema Schema => Model.Schema;

    /// <summary>The learner that trained the model ("gbdt", "forest", "linear", "logistic").</summary>
    public string Learner => Model.LearnerName;

    /// <summary>Loads the model package in <paramref name="directory"/> (the folder holding its <c>MLmodel</c> file).</summary>
    /// <remarks>Kiln's own packages and XGBoost or LightGBM models registered with <c>kiln models register</c> (compiled into
    /// Kiln's tree predictor) load here; ONNX and ML.NET models are served by <c>kiln serve</c> or scored by <c>kiln predict</c>.</remarks>
    /// <exception cref="LearnException">The folder is not a model package, its model file is damaged or from a newer Kiln, or its flavor needs a runtime this package does not carry.</exception>
    public static KilnModel Load(string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw KilnException.NotFound($"Model folder '{directory}' does not exist: pass the folder that holds the model's MLmodel file.");
        }
        using var loaded = Engine.Flavors.FlavorCatalog.Builtin.Load(directory);
        return loaded is Engine.Flavors.KilnPredictor compiled ? new KilnModel(compiled.Model)
            : throw new LearnException($"This model's flavor ({loaded.Flavor}) is not one Kiln.Models scores in-process: serve it with kiln serve, or score it with kiln predict.");
    }

    /// <summary>
    /// Loads a model by reference: a package folder, <c>runs:/RUN_ID/model</c>, or a registered version
    /// (<c>models:/NAME/VERSION</c>, <c>models:/NAME@ALIAS</c>, <c>models:/NAME/latest</c>) downloaded from the tracking server at
    /// <paramref name="trackingUri"/> (default: <c>KILN_TRACKING_URI</c>, else an http(s) <c>MLFLOW_TRACKING_URI</c>).
    /// </summary>
    /// <param name="reference">A folder path, a <c>runs:/</c> URI or a <c>models:/</c> URI.</param>
    /// <param name="trackingUri">The tracking server for <c>runs:/</c> and <c>models:/</c> URIs; null reads the environment.</param>
    /// <param name="ct">Cancels the download.</param>
    /// <exception cref="KilnException">No tracking server is known for a <c>runs:/</c> URI, the server cannot be reached, or the run or model does not exist.</exception>
    public static async Task<KilnModel> LoadAsync(string reference, Uri? trackingUri = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (!reference.StartsWith("runs:/", StringComparison.Ordinal) && !Core.Registry.ModelUri.Is(reference))
        {
            return Load(reference);
        }
        var server = trackingUri ?? TrackingUriFromEnvironment()
            ?? throw KilnException.Invalid($"'{reference}' is a run's or the registry's model, so Kiln needs the tracking server that holds it: pass trackingUri, or set KILN_TRACKING_URI (e.g. http://mlops:5000).");
        using var client = new KilnClient(server);
        var tracking = new RemoteTracking(client, TimeProvider.System);
        var (directory, temporary) = await new ModelLocator(tracking, new Engine.Registry.RemoteModelFiles(client, tracking)).ResolveAsync(reference, ct);
        return LoadAndClean(directory, temporary);
    }

    /// <summary>
    /// Loads a model by reference, resolving <c>runs:/</c> URIs through <paramref name="tracking"/> and <c>models:/</c> URIs
    /// through <paramref name="models"/> (a local store's, e.g. <c>KilnHost.Get&lt;IModelFiles&gt;()</c>, or a server's).
    /// </summary>
    /// <param name="reference">A folder path, a <c>runs:/</c> URI or a <c>models:/</c> URI.</param>
    /// <param name="tracking">Where runs live, e.g. <c>KilnHost.Get&lt;ITracking&gt;()</c> for a local Kiln store.</param>
    /// <param name="models">The model registry, needed for <c>models:/</c> URIs only.</param>
    /// <param name="ct">Cancels the download.</param>
    /// <exception cref="KilnException">The run, version or model does not exist.</exception>
    public static async Task<KilnModel> LoadAsync(string reference, ITracking tracking, Engine.Registry.IModelFiles? models = null, CancellationToken ct = default)
    {
        var (directory, temporary) = await new ModelLocator(tracking, models).ResolveAsync(reference, ct);
        return LoadAndClean(directory, temporary);
    }

    private static KilnModel LoadAndClean(string directory, bool temporary)
    {
        try
        {
            return Load(directory);
        }
        finally
        {
            if (temporary)
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    /// <summary>
    /// A scorer that reads each feature from the public property or field of <typeparamref name="TRow"/> with the same name
    /// (ignoring case and underscores, so <c>credit_score</c> matches <c>CreditScore</c>; <see cref="FeatureAttribute"/> names
    /// one explicitly). Numeric features read numbers (nullable: null is missing); categorical features read strings or enums.
    /// </summary>
    /// <exception cref="ArgumentException">A feature has no member in <typeparamref name="TRow"/>, or a member of a type the feature cannot read; the message lists them all.</exception>
    public ModelScorer<TRow> CreateScorer<TRow>() => new(Model, RowBinder<TRow>.Bind(Schema));

    private static Uri? TrackingUriFromEnvironment()
    {
        foreach (var name in new[] { "KILN_TRACKING_URI", "MLFLOW_TRACKING_URI" })
        {
            if (Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
                && (value.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || value.StartsWith("https://", StringComparison.OrdinalIgnoreCase)))
            {
                return new Uri(value);
            }
        }
        return null;
    }
}
