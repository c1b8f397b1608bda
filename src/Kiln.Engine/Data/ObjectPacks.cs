using System.Text.Json;
using Kiln.Core.Artifacts;
using Kiln.Core.Errors;

namespace Kiln.Engine.Data;

/// <summary>
/// Small objects packed together, as git packs them: an add with many small new files writes their bytes as one pack
/// (<c>packs/blake3/&lt;id&gt;.pack</c>, the bytes concatenated) and an index (<c>.idx</c>: hash, offset, length of each),
/// instead of one file per object, so versioning ten thousand small files creates two files. A pack's id is the hash of
/// its bytes; its index is written after it (a reader finds a pack only through a complete index). Objects are read back
/// by range and verified by their hash like loose ones.
/// </summary>
internal sealed class ObjectPacks
{
    /// <summary>Files at most this large are packed when an add has many of them.</summary>
    public const long MaxPackedSize = 256 * 1024;

    /// <summary>A pack is closed once it holds this many bytes; an add with more small files writes several.</summary>
    public const long MaxPackBytes = 64L << 20;

    /// <summary>An add packs its small new objects when it has at least this many.</summary>
    public const int MinPackedCount = 64;

    private const string Folder = "packs/blake3";

    private readonly Dictionary<string, (string Pack, long Offset, long Length)> _objects = new(StringComparer.Ordinal);

    /// <summary>The packs in the store and what they hold: each pack's path and modification time, and its object hashes.</summary>
    public List<(ArtifactEntry Pack, string Index, IReadOnlyList<string> Hashes)> Packs { get; } = [];

    private ObjectPacks()
    {
    }

    /// <summary>Reads every pack index in the store.</summary>
    public static async Task<ObjectPacks> LoadAsync(IArtifactStore artifacts, CancellationToken ct)
    {
        var packs = new ObjectPacks();
        var entries = await artifacts.ListAsync(Folder, ct);
        var byName = entries.ToDictionary(e => e.Path, StringComparer.Ordinal);
        foreach (var index in entries.Where(e => e.Path.EndsWith(".idx", StringComparison.Ordinal)))
        {
            var bytes = new MemoryStream(checked((int)(index.Size ?? 0)));
            await using (var stream = await artifacts.OpenReadAsync(index.Path, ct))
            {
                await stream.CopyToAsync(bytes, 1 << 20, ct);
            }
            var parsed = ParseIndex(bytes.GetBuffer().AsSpan(0, (int)bytes.Length));
            if (parsed is null || !byName.TryGetValue(parsed.Pack, out var pack))
            {
                continue; // an index without its pack is not usable: its objects count as missing
            }
            foreach (var o in parsed.Objects)
            {
                packs._objects[o.Hash] = (parsed.Pack, o.Offset, o.Length);
            }
            packs.Packs.Add((pack, index.Path, [.. parsed.Objects.Select(o => o.Hash)]));
        }
        return packs;
    }

    /// <summary>
    /// Reads an index (the JSON <see cref="DataJsonContext"/> writes for a <see cref="PackIndex"/>) with a reader rather
    /// than the serializer, whose start-up cost a short command would feel; unknown properties are skipped.
    /// </summary>
    internal static PackIndex ParseIndex(ReadOnlySpan<byte> json)
    {
        try
        {
            return ReadIndex(json);
        }
        catch (JsonException e)
        {
            throw KilnException.InvalidState($"A pack index of the dataset store is not valid JSON ({e.Message}): it is corrupt.");
        }
    }

    private static PackIndex ReadIndex(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        var (format, pack, objects) = (0, "", new List<PackedObject>());
        Expect(ref reader, JsonTokenType.StartObject);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("format"u8))
            {
                reader.Read();
                format = reader.GetInt32();
            }
            else if (reader.ValueTextEquals("pack"u8))
            {
                reader.Read();
                pack = reader.GetString() ?? "";
            }
            else if (reader.ValueTextEquals("objects"u8))
            {
                Expect(ref reader, JsonTokenType.StartArray);
                while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                {
                    var (hash, offset, length) = ("", 0L, 0L);
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        var name = reader.ValueTextEquals("hash"u8) ? 0 : reader.ValueTextEquals("offset"u8) ? 1 : reader.ValueTextEquals("length"u8) ? 2 : 3;
                        reader.Read();
                        switch (name)
                        {
                            case 0: hash = reader.GetString() ?? ""; break;
                            case 1: offset = reader.GetInt64(); break;
                            case 2: length = reader.GetInt64(); break;
                            default: reader.Skip(); break;
                        }
                    }
                    objects.Add(new PackedObject(hash, offset, length));
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        return new PackIndex(format, pack, objects);
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType token)
    {
        if (!reader.Read() || reader.TokenType != token)
        {
            throw KilnException.InvalidState($"A pack index of the dataset store is not valid JSON (expected {token}): it is corrupt.");
        }
    }

    /// <summary>Whether an object is in a pack.</summary>
    public bool Contains(string hash) => _objects.ContainsKey(hash);

    /// <summary>The pack holding an object, if any.</summary>
    public string? PackOf(string hash) => _objects.TryGetValue(hash, out var where) ? where.Pack : null;

    /// <summary>A packed object's bytes, or null when no pack holds it.</summary>
    public async Task<Stream?> OpenAsync(IArtifactStore artifacts, string hash, CancellationToken ct)
    {
        if (!_objects.TryGetValue(hash, out var where))
        {
            return null;
        }
        await using var stream = await artifacts.OpenReadAsync(where.Pack, ct);
        var bytes = new byte[where.Length];
        if (stream.CanSeek)
        {
            stream.Seek(where.Offset, SeekOrigin.Begin);
        }
        else
        {
            await CopyBytesAsync(stream, where.Offset, ct);
        }
        await stream.ReadExactlyAsync(bytes, ct).AsTask().ConfigureAwait(false);
        return new MemoryStream(bytes, writable: false);
    }

    private static async Task CopyBytesAsync(Stream stream, long count, CancellationToken ct)
    {
        var skip = new byte[81920];
        while (count > 0)
        {
            var read = await stream.ReadAsync(skip.AsMemory(0, (int)Math.Min(skip.Length, count)), ct);
            if (read == 0)
            {
                throw KilnException.InvalidState("A pack of stored objects is shorter than its index says: it is corrupt.");
            }
            count -= read;
        }
    }

    /// <summary>Adds a pack of <paramref name="objects"/> (hash, bytes) to a batch: the pack first, its index after it.</summary>
    public static async Task AddAsync(IArtifactBatch batch, IReadOnlyList<(string Hash, byte[] Bytes)> objects, CancellationToken ct)
    {
        var pack = new MemoryStream(checked((int)objects.Sum(o => (long)o.Bytes.Length)));
        var entries = new List<PackedObject>(objects.Count);
        foreach (var (hash, bytes) in objects)
        {
            entries.Add(new PackedObject(hash, pack.Position, bytes.Length));
            pack.Write(bytes);
        }
        var id = ContentHash.Of(pack.GetBuffer().AsSpan(0, (int)pack.Length));
        var hex = id[(id.IndexOf(':', StringComparison.Ordinal) + 1)..];
        var packPath = $"{Folder}/{hex}.pack";
        pack.Position = 0;
        await batch.AddAsync(packPath, pack, ct);
        await batch.AddAsync($"{Folder}/{hex}.idx", new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(new PackIndex(1, packPath, entries), DataJsonContext.Default.PackIndex)), ct);
    }
}
