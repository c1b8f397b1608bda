using Kiln.Core.Errors;
using Kiln.Engine.Data;
using Kiln.Testing;

namespace Kiln.Engine.Tests.Data;

/// <summary>Many small files are stored as one pack: two files written, every object read back verified, gc by pack.</summary>
public sealed class ObjectPackTests : KilnHostTest
{
    private DataService Data => Host.Get<DataService>();

    private string ManySmallFiles(string name, int count, string salt = "")
    {
        var root = Path.Combine(Dir, name);
        for (var i = 0; i < count; i++)
        {
            var folder = Path.Combine(root, $"part-{i % 10}");
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, $"rec-{i:000}.json"), $"{{\"id\": {i}{salt}}}\n");
        }
        File.WriteAllText(Path.Combine(root, "big.bin"), new string('x', 400_000)); // too big to pack: a loose object
        return root;
    }

    private string[] Stored(string folder) =>
        Directory.Exists(Path.Combine(Artifacts.Root, folder)) ? Directory.GetFiles(Path.Combine(Artifacts.Root, folder), "*", SearchOption.AllDirectories) : [];

    [Fact]
    public async Task Small_files_go_into_one_pack_and_come_back_verified()
    {
        var (version, _, stored) = await Data.AddAsync("many", ManySmallFiles("in", 200), null, "me");
        Assert.Equal(201, stored);
        Assert.Equal(2, Stored("packs").Length); // one pack, one index
        Assert.Equal(2, Stored("objects").Length); // the big file and the manifest

        var target = Path.Combine(Dir, "out");
        Assert.Equal(201, await Data.GetAsync(version, target));
        Assert.Equal("{\"id\": 7}\n", File.ReadAllText(Path.Combine(target, "part-7", "rec-007.json")));

        // unchanged: nothing new; a few files changed: too few to pack, stored loose beside the pack
        Assert.Equal(0, (await Data.AddAsync("many", Path.Combine(Dir, "in"), null, "me")).ObjectsStored);
        File.WriteAllText(Path.Combine(Dir, "in", "part-1", "rec-001.json"), "changed\n");
        var (second, _, storedSecond) = await Data.AddAsync("many", Path.Combine(Dir, "in"), null, "me");
        Assert.Equal(1, storedSecond);
        Assert.Equal(201, await Data.GetAsync(second, Path.Combine(Dir, "out2")));

        // a damaged pack is named on get, as a damaged loose object is
        var pack = Stored("packs").Single(p => p.EndsWith(".pack", StringComparison.Ordinal));
        var bytes = File.ReadAllBytes(pack);
        bytes[5] ^= 0xFF;
        File.WriteAllBytes(pack, bytes);
        var e = await Assert.ThrowsAsync<KilnException>(() => Data.GetAsync(version, Path.Combine(Dir, "out3")));
        Assert.Contains("corrupt", e.Message);
    }

    [Fact]
    public void An_index_reads_back_what_the_serializer_wrote()
    {
        var index = new PackIndex(1, "packs/blake3/ab.pack", [new PackedObject("blake3:01", 0, 5), new PackedObject("blake3:02", 5, long.MaxValue)]);
        var parsed = ObjectPacks.ParseIndex(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(index, DataJsonContext.Default.PackIndex));
        Assert.Equal((index.Format, index.Pack), (parsed.Format, parsed.Pack));
        Assert.Equal(index.Objects, parsed.Objects);
        Assert.Equal("packs/x.pack", ObjectPacks.ParseIndex("{\"later\":{\"a\":[1]},\"pack\":\"packs/x.pack\",\"format\":2,\"objects\":[]}"u8).Pack);
        Assert.Throws<KilnException>(() => ObjectPacks.ParseIndex("[1]"u8));
    }

    [Fact]
    public async Task Gc_deletes_a_pack_no_version_references_and_keeps_the_rest()
    {
        var (version, _, _) = await Data.AddAsync("kept", ManySmallFiles("a", 100), null, "me");
        // an interrupted add: its pack written, its version never recorded
        await using (var batch = Artifacts.BeginBatch())
        {
            await ObjectPacks.AddAsync(batch, [.. Enumerable.Range(0, 70).Select(i => (ContentHash.Of([(byte)i, 1]), new byte[] { (byte)i, 1 }))], default);
            await batch.CommitAsync();
        }
        Assert.Equal(4, Stored("packs").Length);
        foreach (var file in Stored("packs").Concat(Stored("objects")))
        {
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddHours(-3));
        }
        var dry = await Data.CollectGarbageAsync(TimeSpan.FromHours(1), dryRun: true);
        Assert.Equal((172, 102, 70), (dry.Objects, dry.Referenced, dry.Deleted));
        Assert.Equal(4, Stored("packs").Length);
        await Data.CollectGarbageAsync(TimeSpan.FromHours(1), dryRun: false);
        Assert.Equal(2, Stored("packs").Length);
        Assert.Equal(101, await Data.GetAsync(version, Path.Combine(Dir, "out")));

        // adding content that is in a pack marks the pack used again
        var pack = Stored("packs").Single(p => p.EndsWith(".pack", StringComparison.Ordinal));
        File.SetLastWriteTimeUtc(pack, DateTime.UtcNow.AddHours(-3));
        await Data.AddAsync("again", Path.Combine(Dir, "a"), null, "me");
        Assert.True(File.GetLastWriteTimeUtc(pack) > DateTime.UtcNow.AddMinutes(-5));
    }
}
