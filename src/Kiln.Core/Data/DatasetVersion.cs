namespace Kiln.Core.Data;

/// <summary>
/// An immutable version of a dataset: its id is the hash of its manifest (<c>blake3:…</c>, the algorithm part of the id),
/// so identical content is the same version, never a duplicate.
/// </summary>
/// <param name="Dataset">The dataset's name.</param>
/// <param name="VersionId">The manifest's hash, e.g. <c>blake3:9f2c…</c>.</param>
/// <param name="Message">What changed, as the creator wrote it.</param>
/// <param name="UserId">Who created it.</param>
/// <param name="CreatedAt">When, in Unix milliseconds.</param>
/// <param name="FileCount">How many files it holds.</param>
/// <param name="TotalBytes">Their total size.</param>
public sealed record DatasetVersion(string Dataset, string VersionId, string Message, string UserId, long CreatedAt, int FileCount, long TotalBytes)
{
    /// <summary>The version's tags (key → value), e.g. <c>stage=approved</c>; set with <c>kiln data tag</c>.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
}

/// <summary>A dataset: a name and how many versions it has.</summary>
/// <param name="Name">The dataset's name.</param>
/// <param name="CreatedAt">When its first version was added, in Unix milliseconds.</param>
/// <param name="VersionCount">How many versions it has.</param>
/// <param name="Latest">Its newest version, if any.</param>
public sealed record Dataset(string Name, long CreatedAt, int VersionCount, DatasetVersion? Latest);

/// <summary>One file of a version: its path inside the dataset ('/'-separated, relative), content hash and size.</summary>
/// <param name="Path">The file's relative path.</param>
/// <param name="Hash">Its content hash, e.g. <c>blake3:…</c>.</param>
/// <param name="Size">Its size in bytes.</param>
public sealed record ManifestEntry(string Path, string Hash, long Size);
