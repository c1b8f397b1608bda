namespace Kiln.Engine.Data;

/// <summary>A stored object's content as a verified local file; disposing it deletes the temporary copy, if one was made.</summary>
/// <param name="Path">The file.</param>
/// <param name="TemporaryFolder">The folder holding a temporary copy, or null when <paramref name="Path"/> is the object itself.</param>
public sealed record VerifiedFile(string Path, string? TemporaryFolder) : IDisposable
{
    /// <inheritdoc />
    public void Dispose()
    {
        if (TemporaryFolder is not null && Directory.Exists(TemporaryFolder))
        {
            Directory.Delete(TemporaryFolder, recursive: true);
        }
    }
}
