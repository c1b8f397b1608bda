namespace Kiln.Learn.Gbdt;

/// <summary>The loss a regression booster minimises.</summary>
public enum RegressionLoss
{
    /// <summary>Squared error (mean target, least squares). Reported loss: RMSE.</summary>
    SquaredError,

    /// <summary>Absolute error (median target; leaf values refitted to the median residual). Reported loss: MAE.</summary>
    AbsoluteError,

    /// <summary>Huber loss with <see cref="GbdtOptions.HuberDelta"/>: squared near zero, absolute for outliers. Reported loss: mean Huber loss.</summary>
    Huber,
}
