namespace Kiln.Learn.Model;

/// <summary>
/// The training weight that reached each node and leaf of an ensemble (hessian sums, as XGBoost's <c>sum_hessian</c>;
/// row counts for LightGBM and for a forest's joint trees), parallel to <see cref="TreeEnsemble.Nodes"/> and
/// <see cref="TreeEnsemble.Leaves"/>. Prediction does not need them; TreeSHAP weighs a split's branches by them.
/// </summary>
internal sealed record TreeCovers(double[] Nodes, double[] Leaves);
