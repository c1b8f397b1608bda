namespace Kiln.Engine.Training;

/// <summary>What <c>kiln train</c> asks for.</summary>
/// <param name="DataPath">The training CSV.</param>
/// <param name="Target">The column to predict.</param>
/// <param name="Learner">A name from <see cref="LearnerCatalog"/>.</param>
/// <param name="Parameters">Learner options as <c>key=value</c> strings.</param>
/// <param name="ValidPath">An optional validation CSV (loss curve, early stopping, final metrics).</param>
/// <param name="Experiment">The experiment's name (created when missing).</param>
/// <param name="RunName">The run's name, or null for a generated one.</param>
/// <param name="Task">binary, multiclass or regression; null infers it from the target.</param>
/// <param name="Features">The feature columns to use (<c>--features</c>); null or empty: every column but the target.</param>
/// <param name="Drop">Columns to leave out (<c>--drop</c>).</param>
/// <param name="NaValues">Tokens read as missing besides the defaults (<c>--na-values</c>), e.g. <c>unknown</c>.</param>
/// <param name="Encoding">The files' encoding (<c>--encoding</c>): utf-8 (default), latin1 or windows-1252.</param>
/// <param name="DataSource">The dataset version the training file came from (<c>datasets:/…</c>), recorded as the run's input; null for a plain file.</param>
/// <param name="ValidSource">The same for the validation file.</param>
/// <param name="CvFolds">Cross-validation folds to score the learner with besides the final fit (0: none; stratified by the target for classification).</param>
/// <param name="CvGroup">A column whose groups cross-validation keeps whole (grouped folds), or null.</param>
/// <param name="Threshold">A binary model's decision threshold rule (<c>f1</c>, <c>precision=0.9</c>, <c>recall=0.8</c>, <c>cost=1:5</c> or a probability), chosen on the validation data, or null for 0.5.</param>
/// <param name="Weight">A numeric column of row weights (<c>--weight</c>): not a feature; the learner weighs each row by it
/// (the <c>weight_column</c> option) and the metrics are weighted where the evaluated data has it.</param>
/// <param name="Calibrate">Calibrate a binary model's probabilities (<c>platt</c> or <c>isotonic</c>) on the validation data, or
/// else on a stratified 20 % of the training rows held out from the fit; null: none.</param>
public sealed record TrainRequest(
    string DataPath,
    string Target,
    string Learner,
    IReadOnlyDictionary<string, string> Parameters,
    string? ValidPath = null,
    string Experiment = "Default",
    string? RunName = null,
    string? Task = null,
    IReadOnlyList<string>? Features = null,
    IReadOnlyList<string>? Drop = null,
    IReadOnlyList<string>? NaValues = null,
    string? Encoding = null,
    Data.DataSource? DataSource = null,
    Data.DataSource? ValidSource = null,
    int CvFolds = 0,
    string? CvGroup = null,
    string? Threshold = null,
    string? Calibrate = null,
    string? Weight = null)
{
    /// <summary>How the training and validation files are read: the default missing tokens plus <see cref="NaValues"/>.</summary>
    public Kiln.Tabular.Csv.CsvReadOptions CsvOptions => ReadOptions.WithMissing(NaValues);

    /// <summary>Reads one of the request's files with its options and encoding.</summary>
    public Kiln.Tabular.Table Read(string path, CancellationToken ct) => ReadOptions.ReadCsv(path, CsvOptions, Encoding, ct);

    /// <summary>Reads the validation file with the training table's column kinds (see <see cref="ReadOptions.ReadLike"/>).</summary>
    public Kiln.Tabular.Table ReadLike(string path, Kiln.Tabular.Table train, CancellationToken ct) => ReadOptions.ReadLike(path, CsvOptions, Encoding, train, ct);
}
