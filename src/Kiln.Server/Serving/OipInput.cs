using System.Globalization;

namespace Kiln.Server.Serving;

/// <summary>
/// One input tensor of an Open Inference Protocol request as its transport carries it (JSON over REST, typed or raw
/// contents over gRPC); <see cref="OipTensors.ToTable"/> reads the tensors into the model's columns the same way for both.
/// </summary>
/// <param name="name">The tensor's name: the feature it carries.</param>
/// <param name="datatype">The protocol's datatype (FP64, BYTES, …), or empty when the request gave none.</param>
/// <param name="shape">The tensor's shape, or null when the request gave none.</param>
public abstract class OipInput(string name, string datatype, IReadOnlyList<long>? shape)
{
    /// <summary>The tensor's name: the feature it carries.</summary>
    public string Name { get; } = name;

    /// <summary>The protocol's datatype (FP64, BYTES, …), or empty when the request gave none.</summary>
    public string Datatype { get; } = datatype;

    /// <summary>The tensor's shape, or null when the request gave none.</summary>
    public IReadOnlyList<long>? Shape { get; } = shape;

    /// <summary>How many elements the tensor holds.</summary>
    public abstract int Count { get; }

    /// <summary>Element <paramref name="index"/> as a number (NaN for a missing value); INVALID_PARAMETER_VALUE naming the input and element when it is not one.</summary>
    public abstract double Number(int index);

    /// <summary>Element <paramref name="index"/> as a category (null for a missing value).</summary>
    public abstract string? Text(int index);

    /// <summary>Every element as a number (a new array, or one the input holds for this request alone).</summary>
    public virtual double[] Numbers()
    {
        var numbers = new double[Count];
        for (var i = 0; i < numbers.Length; i++)
        {
            numbers[i] = Number(i);
        }
        return numbers;
    }

    /// <summary>A number sent for a categorical feature, as its category: null when missing, <c>true</c>/<c>false</c> for BOOL.</summary>
    protected string? NumberText(double value) =>
        double.IsNaN(value) ? null : Datatype == "BOOL" ? (value != 0 ? "true" : "false") : value.ToString("R", CultureInfo.InvariantCulture);
}
