namespace Kiln.Models;

/// <summary>Names the model feature a property or field supplies, when its name does not match the feature's.</summary>
/// <param name="name">The feature's name in the model's schema.</param>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, AllowMultiple = false)]
public sealed class FeatureAttribute(string name) : Attribute
{
    /// <summary>The feature's name in the model's schema.</summary>
    public string Name { get; } = name;
}
