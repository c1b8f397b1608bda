using Kiln.Core.Errors;
using Kiln.Learn;
using Kiln.Learn.Forest;
using Kiln.Learn.Gbdt;
using Kiln.Learn.Linear;
using Kiln.Tabular;

namespace Kiln.Engine.Training;

/// <summary>A learner as the CLI and pipelines name it: how to bind its options from strings and how to fit it.</summary>
public sealed record LearnerEntry(
    string Name,
    string Description,
    TaskKind? FixedTask,
    Func<IReadOnlyDictionary<string, string>, LearnerOptions> BindOptions,
    Func<Table, string, LearnerOptions, Table?, IProgress<TrainingProgress>?, CancellationToken, TrainedModel> Fit);

/// <summary>The built-in learners by name (<c>--learner gbdt|forest|linear|logistic</c>).</summary>
public static class LearnerCatalog
{
    private static readonly Dictionary<string, LearnerEntry> Entries = new(StringComparer.OrdinalIgnoreCase)
    {
        ["gbdt"] = Entry("gbdt", "histogram gradient-boosted trees", null, new GbdtLearner(), new GbdtOptions()),
        ["forest"] = Entry("forest", "random forest (bootstrap, feature subsampling, out-of-bag score)", null, new ForestLearner(), new ForestOptions()),
        ["linear"] = Entry("linear", "linear regression: ridge, lasso, elastic net", TaskKind.Regression, new LinearLearner(), new LinearOptions()),
        ["logistic"] = Entry("logistic", "binary and multinomial logistic regression (L-BFGS)", TaskKind.BinaryClassification, new LogisticLearner(), new LogisticOptions()),
    };

    public static IReadOnlyCollection<string> Names => Entries.Keys;

    public static LearnerEntry Get(string name) => Entries.TryGetValue(name, out var entry)
        ? entry
        : throw KilnException.Invalid($"Unknown learner '{name}'. Built-in learners: {string.Join(", ", Entries.Keys.Order(StringComparer.Ordinal))}.");

    private static LearnerEntry Entry<TOptions>(string name, string description, TaskKind? fixedTask, ILearner<TOptions> learner, TOptions defaults)
        where TOptions : LearnerOptions =>
        new(name, description, fixedTask,
            parameters => OptionsBinder.Bind(defaults, parameters),
            (train, target, options, validation, progress, ct) =>
            {
                try
                {
                    return learner.Fit(train, target, (TOptions)options, validation, progress, ct);
                }
                catch (ArgumentException e) when (e.ParamName == "options")
                {
                    // An option that does not fit the data given (early stopping without a validation set).
                    throw OptionsBinder.UserNames(e, typeof(TOptions));
                }
            });
}
