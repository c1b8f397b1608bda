using Kiln.Core.Artifacts;
using Kiln.Engine.Data;
using Kiln.Testing;

namespace Kiln.Engine.Tests.Data;

/// <summary>How objects are placed: hard links share the file (made read-only), copies and clones do not; every way verifies on get.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DataLinkTests : KilnHostTest
{
    private DataService Data => Host.Get<DataService>();

    [Fact]
    public async Task A_hard_link_stores_no_bytes_and_protects_the_file_a_copy_leaves_it_alone()
    {
        var folder = Path.Combine(Dir, "in");
        Directory.CreateDirectory(folder);
        var linked = Path.Combine(folder, "big.bin");
        File.WriteAllBytes(linked, [.. Enumerable.Range(0, 100_000).Select(i => (byte)(i * 7))]);
        var (version, _, stored) = await Data.AddAsync("links", linked, null, "me", link: FileLinkMode.Hardlink);
        Assert.Equal(1, stored);
        var entry = Assert.Single(await Data.FilesAsync(version));
        var objectFile = Path.Combine(Artifacts.Root, ContentHash.ObjectPath(entry.Hash));
        Assert.Equal(2, LinkCount(objectFile));
        Assert.Equal(UnixFileMode.None, File.GetUnixFileMode(linked) & UnixFileMode.UserWrite);
        Assert.Equal(1, await Data.GetAsync(version, Path.Combine(Dir, "out")));

        var copied = Path.Combine(folder, "copy.bin");
        File.WriteAllBytes(copied, [1, 2, 3]);
        var (second, _, _) = await Data.AddAsync("links", copied, null, "me", link: FileLinkMode.Reflink);
        var copyObject = Path.Combine(Artifacts.Root, ContentHash.ObjectPath(Assert.Single(await Data.FilesAsync(second)).Hash));
        Assert.Equal(1, LinkCount(copyObject)); // ext4 has no clones: a copy, the user's file untouched and writable
        Assert.NotEqual(UnixFileMode.None, File.GetUnixFileMode(copied) & UnixFileMode.UserWrite);
    }

    [Fact]
    public async Task A_batch_is_invisible_until_committed_and_leaves_nothing_when_abandoned()
    {
        await using (var batch = Artifacts.BeginBatch())
        {
            await batch.AddAsync("objects/x/ab/cdef", new MemoryStream([1, 2, 3]));
            Assert.Empty(await Artifacts.ListAsync("objects/x/ab"));
        } // disposed without commit
        Assert.Empty(await Artifacts.ListAsync("objects/x/ab"));
        var staging = Directory.GetFiles(Path.Combine(Path.GetDirectoryName(Artifacts.Root)!, "." + Path.GetFileName(Artifacts.Root) + ".staging"));
        Assert.Empty(staging);
        await using (var batch = Artifacts.BeginBatch())
        {
            await batch.AddAsync("objects/x/ab/cdef", new MemoryStream([1, 2, 3]));
            await batch.CommitAsync();
        }
        Assert.Equal(3, Assert.Single(await Artifacts.ListAsync("objects/x/ab")).Size);
    }

    private static long LinkCount(string path)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%h", path]) { RedirectStandardOutput = true };
        using var process = System.Diagnostics.Process.Start(psi)!;
        var text = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return long.Parse(text.Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
