using Kiln.Core.Data;
using Kiln.Core.Errors;
using Kiln.Engine.Data;
using Kiln.Testing;

namespace Kiln.Engine.Tests.Data;

/// <summary>Versioned datasets on a real SQLite store and artifact folder: content-addressed, immutable, verified.</summary>
public sealed class DataServiceTests : KilnHostTest
{
    private DataService Data => Host.Get<DataService>();

    private string Folder(params (string Path, string Content)[] files)
    {
        var root = Path.Combine(Dir, "input-" + Guid.NewGuid().ToString("N")[..8]);
        foreach (var (path, content) in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(root, path))!);
            File.WriteAllText(Path.Combine(root, path), content);
        }
        return root;
    }

    private int ObjectCount() =>
        Directory.Exists(Path.Combine(Artifacts.Root, "objects")) ? Directory.GetFiles(Path.Combine(Artifacts.Root, "objects"), "*", SearchOption.AllDirectories).Length : 0;

    [Fact]
    public async Task Identical_content_is_one_version_and_each_file_is_stored_once()
    {
        var folder = Folder(("loans.csv", "income,debt\n1,2\n"), ("docs/readme.txt", "hello"));
        var (first, created, stored) = await Data.AddAsync("loans", folder, "first", "me");
        Assert.True(created);
        Assert.Equal(2, stored);
        Assert.StartsWith("blake3:", first.VersionId);
        Assert.Equal(2, first.FileCount);

        // the same content again, from another folder: the same version, nothing stored
        var copy = Folder(("loans.csv", "income,debt\n1,2\n"), ("docs/readme.txt", "hello"));
        var (again, createdAgain, storedAgain) = await Data.AddAsync("loans", copy, "again", "me");
        Assert.False(createdAgain);
        Assert.Equal(0, storedAgain);
        Assert.Equal(first.VersionId, again.VersionId);
        Assert.Equal("first", again.Message);

        // one file changed: a new version, only that file stored
        File.AppendAllText(Path.Combine(folder, "loans.csv"), "3,4\n");
        var before = ObjectCount();
        var (second, _, storedSecond) = await Data.AddAsync("loans", folder, "more rows", "me");
        Assert.NotEqual(first.VersionId, second.VersionId);
        Assert.Equal(1, storedSecond);
        Assert.Equal(before + 2, ObjectCount()); // the changed file and the new manifest

        var versions = await Data.VersionsAsync("loans");
        Assert.Equal([second.VersionId, first.VersionId], versions.Select(v => v.VersionId));
        Assert.Equal(second.VersionId, (await Data.GetVersionAsync("loans", "latest")).VersionId);
        Assert.Equal(first.VersionId, (await Data.GetVersionAsync("loans", first.VersionId["blake3:".Length..][..10])).VersionId);
        Assert.Equal(["docs/readme.txt", "loans.csv"], (await Data.FilesAsync(second)).Select(f => f.Path));
    }

    [Fact]
    public async Task A_version_id_is_stable_across_releases()
    {
        // the manifest's bytes are hashed into the id: the same content must keep the id it had when this test was written
        var folder = Folder(("t.csv", "a,b\n1,2\n"), ("sub/n.txt", "héllo \"q\"\n"));
        var (version, _, _) = await Data.AddAsync("golden", folder, null, "me");
        Assert.Equal("blake3:44701a8553e3ab86cb7d49f4c8b727789c5ae38865c967bca98f5a7778087a9f", version.VersionId);
        // written directly or by the serializer, a manifest is the same bytes, awkward paths included
        ManifestEntry[] entries = [new("a b/é+<&>'\"`\\.csv", "blake3:00", 0), new("x", "blake3:ff", long.MaxValue)];
        Assert.Equal(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new Manifest(1, entries), DataJsonContext.Default.Manifest), DataService.ManifestBytes(entries));
    }

    [Fact]
    public async Task Get_writes_every_file_verified_and_names_a_corrupt_object()
    {
        var folder = Folder(("a.csv", "x\n1\n"), ("nested/b.txt", "bee"));
        var (version, _, _) = await Data.AddAsync("set", folder, null, "me");
        var target = Path.Combine(Dir, "out");
        Assert.Equal(2, await Data.GetAsync(version, target));
        Assert.Equal("bee", File.ReadAllText(Path.Combine(target, "nested", "b.txt")));

        // flip the stored object of b.txt: get refuses it, names the file, and leaves no partial file behind
        var entry = (await Data.FilesAsync(version)).Single(f => f.Path == "nested/b.txt");
        File.WriteAllText(Path.Combine(Artifacts.Root, ContentHash.ObjectPath(entry.Hash)), "bad");
        var e = await Assert.ThrowsAsync<KilnException>(() => Data.GetAsync(version, Path.Combine(Dir, "out2")));
        Assert.Contains("'nested/b.txt'", e.Message);
        Assert.Contains("corrupt", e.Message);
        Assert.Empty(Directory.GetFiles(Path.Combine(Dir, "out2"), "*.kiln-partial", SearchOption.AllDirectories));

        // a symbolic link planted in the target folder is never written through
        var trap = Path.Combine(Dir, "out3");
        var outside = Path.Combine(Dir, "outside");
        Directory.CreateDirectory(trap);
        Directory.CreateDirectory(outside);
        Directory.CreateSymbolicLink(Path.Combine(trap, "nested"), outside);
        File.WriteAllText(Path.Combine(Artifacts.Root, ContentHash.ObjectPath(entry.Hash)), "bee"); // repaired
        var linked = await Assert.ThrowsAsync<KilnException>(() => Data.GetAsync(version, trap));
        Assert.Contains("symbolic link", linked.Message);
        Assert.Empty(Directory.GetFiles(outside));
    }

    [Fact]
    public async Task Two_writers_adding_at_once_both_succeed()
    {
        var folders = Enumerable.Range(0, 6).Select(i => Folder(("data.csv", $"v\n{i % 2}\n"))).ToList();
        var results = await Task.WhenAll(folders.Select(f => Data.AddAsync("shared", f, null, "me")));
        Assert.Equal(2, results.Select(r => r.Version.VersionId).Distinct().Count());
        Assert.Equal(2, (await Data.VersionsAsync("shared")).Count);
    }

    [Fact]
    public async Task Bad_input_is_a_clear_error_and_stores_nothing()
    {
        var missing = await Assert.ThrowsAsync<KilnException>(() => Data.AddAsync("x", Path.Combine(Dir, "nowhere"), null, "me"));
        Assert.Contains("No file or folder", missing.Message);
        var empty = Path.Combine(Dir, "empty");
        Directory.CreateDirectory(empty);
        Assert.Contains("holds no files", (await Assert.ThrowsAsync<KilnException>(() => Data.AddAsync("x", empty, null, "me"))).Message);
        Assert.Contains("Invalid dataset name", (await Assert.ThrowsAsync<KilnException>(() => Data.AddAsync("a/b", empty, null, "me"))).Message);
        Assert.Equal(0, ObjectCount());
        var unknown = await Assert.ThrowsAsync<KilnException>(() => Data.VersionsAsync("nope"));
        Assert.Equal(ErrorCode.ResourceDoesNotExist, unknown.Code);
        await Data.AddAsync("real", Folder(("f", "1")), null, "me");
        Assert.Equal(ErrorCode.ResourceDoesNotExist, (await Assert.ThrowsAsync<KilnException>(() => Data.GetVersionAsync("real", "deadbeef"))).Code);
    }

    [Fact]
    public async Task Diff_names_added_removed_and_changed_files_and_how_a_csv_changed()
    {
        var folder = Folder(("loans.csv", "income,region\n1,north\n2,south\n"), ("old.txt", "x"), ("same.txt", "s"));
        var (first, _, _) = await Data.AddAsync("d", folder, null, "me");
        File.Delete(Path.Combine(folder, "old.txt"));
        File.WriteAllText(Path.Combine(folder, "new.txt"), "n");
        File.WriteAllText(Path.Combine(folder, "loans.csv"), "income,region,debt\n1,north,0.5\n2,south,0.1\n3,east,0.2\n");
        var (second, _, _) = await Data.AddAsync("d", folder, null, "me");

        var changes = await Data.DiffAsync(first, second);
        Assert.Equal([("loans.csv", "changed"), ("new.txt", "added"), ("old.txt", "removed")], changes.Select(c => (c.Path, c.Change)));
        Assert.Equal("rows 2 → 3; column 'debt' added; 2 column(s) with changed statistics", changes[0].Schema);
        var income = changes[0].Columns.Single(c => c.Column == "income");
        Assert.Equal(("changed", 1.5, 2.0), (income.Change, income.MeanBefore, income.MeanAfter));
        Assert.Equal("added", changes[0].Columns.Single(c => c.Column == "debt").Change);
        Assert.Equal(("js", true), (income.Method, income.Distance > 0));
        Assert.Empty(await Data.DiffAsync(first, first));
    }

    [Fact]
    public async Task A_csv_version_has_a_schema_and_column_statistics_computed_once()
    {
        var rows = string.Concat(Enumerable.Range(0, 60).Select(i => $"{(i == 0 ? "" : (i * 0.5).ToString(System.Globalization.CultureInfo.InvariantCulture))},{(i % 3 == 0 ? "south" : "north")}\n"));
        var (version, _, _) = await Data.AddAsync("loans", Folder(("loans.csv", "income,region\n" + rows), ("notes.txt", "x")), null, "me");
        var (path, profile) = Assert.Single(await Data.ProfileAsync(version));
        Assert.Equal("loans.csv", path);
        Assert.Equal(60, profile.RowCount);
        var income = profile.Columns.Single(c => c.Name == "income");
        Assert.Equal((1L, 0.5, 29.5), (income.MissingCount, income.Numeric!.Min, income.Numeric.Max));
        var region = profile.Columns.Single(c => c.Name == "region");
        Assert.Equal(("north", 40L), (region.Categorical!.Categories[0].Category, region.Categorical.Categories[0].Count));
        // kept by content: asked again, it is read back, not recomputed
        var stored = Directory.GetFiles(Path.Combine(Artifacts.Root, "profiles"), "*.json", SearchOption.AllDirectories);
        var written = File.GetLastWriteTimeUtc(Assert.Single(stored));
        Assert.Equal(60, (await Data.ProfileAsync(version)).Single().Profile.RowCount);
        Assert.Equal(written, File.GetLastWriteTimeUtc(stored[0]));
    }

    [Fact]
    public async Task An_unchanged_file_is_not_hashed_again_but_a_changed_one_is()
    {
        var folder = Folder(("data.csv", "a\n1\n"));
        var file = Path.Combine(folder, "data.csv");
        var old = DateTime.UtcNow.AddMinutes(-5);
        File.SetLastWriteTimeUtc(file, old);
        var (first, _, _) = await Data.AddAsync("cached", folder, null, "me");

        // same size and timestamp, other bytes: the stat cache answers (as DVC's and git's do), so it is the same version
        File.WriteAllText(file, "a\n2\n");
        File.SetLastWriteTimeUtc(file, old);
        Assert.Equal(first.VersionId, (await Data.AddAsync("cached", folder, null, "me")).Version.VersionId);

        // a new timestamp: hashed again, a new version
        File.SetLastWriteTimeUtc(file, old.AddSeconds(1));
        Assert.NotEqual(first.VersionId, (await Data.AddAsync("cached", folder, null, "me")).Version.VersionId);
    }
}
