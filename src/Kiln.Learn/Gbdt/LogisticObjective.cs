using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Kiln.Learn.Model;

namespace Kiln.Learn.Gbdt;

/// <summary>Binary log loss on the log-odds score. Gradients and loss are computed four rows at a time (own vector exp, Vector256 log).</summary>
internal sealed class LogisticObjective : Objective
{
    public override int Outputs => 1;

    public override OutputTransform Transform => OutputTransform.Sigmoid;

    public override double[] BaseScores(double[] y)
    {
        var p = Math.Clamp(y.Average(), 1e-6, 1 - 1e-6);
        return [Math.Log(p / (1 - p))];
    }

    public override void Gradients(double[] scores, double[] y, float[][] gh, int start, int end) =>
        Run(scores, y, gh[0], start, end, withLoss: false);

    public override double GradientsAndLoss(double[] scores, double[] y, float[][] gh, int start, int end) =>
        Run(scores, y, gh[0], start, end, withLoss: true);

    public override double LossSum(double[] scores, double[] y, int start, int end)
    {
        var sum = 0.0;
        for (var i = start; i < end; i++)
        {
            sum += Loss(scores[i], y[i]);
        }
        return sum;
    }

    /// <summary>e^x for four doubles to within a few ulps (x clamped to ±708): x = k ln 2 + r with |r| ≤ ln 2 / 2 (Cody–Waite),
    /// e^r by its Taylor series to degree 13, 2^k put straight into the exponent bits. Several times faster than
    /// <see cref="Vector256.Exp(Vector256{double})"/> here.</summary>
    internal static Vector256<double> Exp(Vector256<double> x)
    {
        const double Magic = 6755399441055744.0; // 1.5 * 2^52: adding it rounds to an integer held in the low bits
        x = Vector256.Min(Vector256.Max(x, Vector256.Create(-708.0)), Vector256.Create(708.0));
        var magic = Vector256.Create(Magic);
        var t = (x * Vector256.Create(1.4426950408889634)) + magic;
        var k = t - magic;
        var r = (x - (k * Vector256.Create(6.93147180369123816490e-01))) - (k * Vector256.Create(1.90821492927058770002e-10));
        var p = Vector256.Create(1.0 / 6227020800.0); // 1/13!
        p = (p * r) + Vector256.Create(1.0 / 479001600.0);
        p = (p * r) + Vector256.Create(1.0 / 39916800.0);
        p = (p * r) + Vector256.Create(1.0 / 3628800.0);
        p = (p * r) + Vector256.Create(1.0 / 362880.0);
        p = (p * r) + Vector256.Create(1.0 / 40320.0);
        p = (p * r) + Vector256.Create(1.0 / 5040.0);
        p = (p * r) + Vector256.Create(1.0 / 720.0);
        p = (p * r) + Vector256.Create(1.0 / 120.0);
        p = (p * r) + Vector256.Create(1.0 / 24.0);
        p = (p * r) + Vector256.Create(1.0 / 6.0);
        p = (p * r) + Vector256.Create(0.5);
        p = (p * r) + Vector256.Create(1.0);
        p = (p * r) + Vector256.Create(1.0);
        var scale = Vector256.ShiftLeft(t.AsInt64() - magic.AsInt64() + Vector256.Create(1023L), 52).AsDouble();
        return p * scale;
    }

    /// <summary>ln(1 + x) for four doubles in [0, 1] to within ~1e-14 relative: ln(1 + x) = 2 atanh(z) with z = x / (2 + x) ≤ 1/3,
    /// the series to z^27. The loss needs it once per row per round; <see cref="Vector256.Log(Vector256{double})"/> cost more than the gradients.</summary>
    internal static Vector256<double> Log1pUnit(Vector256<double> x)
    {
        var z = x / (Vector256.Create(2.0) + x);
        var w = z * z;
        var p = Vector256.Create(1.0 / 27);
        p = (p * w) + Vector256.Create(1.0 / 25);
        p = (p * w) + Vector256.Create(1.0 / 23);
        p = (p * w) + Vector256.Create(1.0 / 21);
        p = (p * w) + Vector256.Create(1.0 / 19);
        p = (p * w) + Vector256.Create(1.0 / 17);
        p = (p * w) + Vector256.Create(1.0 / 15);
        p = (p * w) + Vector256.Create(1.0 / 13);
        p = (p * w) + Vector256.Create(1.0 / 11);
        p = (p * w) + Vector256.Create(1.0 / 9);
        p = (p * w) + Vector256.Create(1.0 / 7);
        p = (p * w) + Vector256.Create(1.0 / 5);
        p = (p * w) + Vector256.Create(1.0 / 3);
        p = (p * w) + Vector256.Create(1.0);
        return Vector256.Create(2.0) * z * p;
    }

    // log(1 + e^s) - y s, computed without overflow
    private static double Loss(double s, double y) => Math.Max(s, 0) + Math.Log(1 + Math.Exp(-Math.Abs(s))) - (y * s);

    private static double Run(double[] scores, double[] y, float[] target, int start, int end, bool withLoss)
    {
        ref var sRef = ref MemoryMarshal.GetArrayDataReference(scores);
        ref var yRef = ref MemoryMarshal.GetArrayDataReference(y);
        var i = start;
        var lossSum = Vector256<double>.Zero;
        if (Vector256.IsHardwareAccelerated && end - start >= 4)
        {
            // bounds: the callers pass [start, end) within scores, y and half of target
            _ = scores[end - 1] + y[end - 1] + target[(2 * end) - 1];
            ref var gRef = ref MemoryMarshal.GetArrayDataReference(target);
            var one = Vector256.Create(1.0);
            var floor = Vector256.Create(1e-16);
            for (; i + 4 <= end; i += 4)
            {
                var s = Vector256.LoadUnsafe(ref sRef, (nuint)i);
                var yv = Vector256.LoadUnsafe(ref yRef, (nuint)i);
                var e = Exp(-s);
                var p = one / (one + e);
                var g = p - yv;
                var h = Vector256.Max(p * (one - p), floor);
                // interleave (g, h) as floats: g0 h0 g1 h1 g2 h2 g3 h3
                var gf = Vector128.Narrow(g.GetLower(), g.GetUpper());
                var hf = Vector128.Narrow(h.GetLower(), h.GetUpper());
                ref var dst = ref Unsafe.Add(ref gRef, 2 * i);
                Vector128.StoreUnsafe(Vector128.Shuffle(Vector128.Create(gf.GetLower(), hf.GetLower()), Vector128.Create(0, 2, 1, 3)), ref dst);
                Vector128.StoreUnsafe(Vector128.Shuffle(Vector128.Create(gf.GetUpper(), hf.GetUpper()), Vector128.Create(0, 2, 1, 3)), ref dst, 4);
                if (withLoss)
                {
                    // e^{-|s|} is e (s >= 0) or 1 / e (s < 0)
                    var positive = Vector256.GreaterThanOrEqual(s, Vector256<double>.Zero);
                    var small = Vector256.ConditionalSelect(positive, e, one / e);
                    lossSum += Vector256.Max(s, Vector256<double>.Zero) + Log1pUnit(small) - (yv * s);
                }
            }
        }
        var tail = 0.0;
        for (; i < end; i++)
        {
            var s = scores[i];
            var p = 1 / (1 + Math.Exp(-s));
            target[2 * i] = (float)(p - y[i]);
            target[(2 * i) + 1] = (float)Math.Max(p * (1 - p), 1e-16);
            if (withLoss)
            {
                tail += Loss(s, y[i]);
            }
        }
        return withLoss ? Vector256.Sum(lossSum) + tail : 0;
    }
}
