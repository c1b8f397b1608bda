using System.Buffers;

namespace Kiln.Engine.Data;

/// <summary>BLAKE3 content hashes, written <c>blake3:&lt;64 hex&gt;</c> so the algorithm is part of every id and can change later.</summary>
public static class ContentHash
{
    public const string Prefix = "blake3:";

    /// <summary>The hash of a file, read in 8 MiB blocks on a worker thread; BLAKE3 spreads each block over the cores.</summary>
    public static Task<string> OfFileAsync(string path, CancellationToken ct) => Task.Run(() =>
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        using var hasher = Blake3.Hasher.New();
        var buffer = ArrayPool<byte>.Shared.Rent(BlockSize);
        try
        {
            int read;
            while ((read = file.Read(buffer, 0, BlockSize)) > 0)
            {
                ct.ThrowIfCancellationRequested();
                if (read >= 1 << 18)
                {
                    hasher.UpdateWithJoin(buffer.AsSpan(0, read));
                }
                else
                {
                    hasher.Update(buffer.AsSpan(0, read));
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return Prefix + hasher.Finalize().ToString();
    }, ct);

    private const int BlockSize = 8 << 20;

    /// <summary>The hash of bytes in memory.</summary>
    public static string Of(ReadOnlySpan<byte> bytes) => Prefix + Blake3.Hasher.Hash(bytes).ToString();

    /// <summary>Where an object lives in the artifact store: <c>objects/blake3/ab/cdef…</c>.</summary>
    public static string ObjectPath(string hash)
    {
        var colon = hash.IndexOf(':', StringComparison.Ordinal);
        var (algorithm, hex) = (hash[..colon], hash[(colon + 1)..]);
        return $"objects/{algorithm}/{hex[..2]}/{hex[2..]}";
    }
}
