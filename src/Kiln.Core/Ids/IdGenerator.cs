namespace Kiln.Core.Ids;

/// <summary>
/// Where new ids (runs, datasets, models) come from: 32 lowercase hex characters, as MLflow's run ids. The one
/// place ids are made, so a test can make them predictable by deriving from it.
/// </summary>
public class IdGenerator
{
    /// <summary>The shared instance for code that has no injected one.</summary>
    public static IdGenerator Default { get; } = new();

    /// <summary>A new random id.</summary>
    public virtual string NewId() => Guid.NewGuid().ToString("N");
}
