namespace Kiln.Learn.Metrics;

/// <summary>One bin of a calibration (reliability) curve.</summary>
/// <param name="Lower">The bin's lower probability edge.</param>
/// <param name="Upper">The bin's upper probability edge.</param>
/// <param name="MeanPredicted">The mean predicted probability of its rows.</param>
/// <param name="FractionPositive">The fraction of its rows that are positive.</param>
/// <param name="Count">Its rows.</param>
public sealed record CalibrationBin(double Lower, double Upper, double MeanPredicted, double FractionPositive, int Count);
