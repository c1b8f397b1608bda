using Kiln.Engine.Flavors;
using Kiln.Flavors.MlNet;
using Kiln.Flavors.Onnx;

namespace Kiln.Flavors;

/// <summary>Every flavor this Kiln loads: the built-in ones (Kiln, XGBoost, LightGBM) and ONNX and ML.NET.</summary>
public static class KilnFlavors
{
    /// <summary>The full catalog.</summary>
    public static FlavorCatalog All { get; } = FlavorCatalog.Builtin.With(new OnnxFlavor(), new MlNetFlavor());
}
