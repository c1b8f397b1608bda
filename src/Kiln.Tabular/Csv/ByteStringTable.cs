using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace Kiln.Tabular.Csv;

/// <summary>Assigns dense codes to distinct byte strings in first-seen order, without allocating a string per lookup.</summary>
internal sealed class ByteStringTable
{
    // A bucket holds the key's 32-bit hash in its high half and code + 1 in its low half (0 = empty), so probing
    // compares hashes without touching the entries: one cache miss per lookup instead of three on large tables.
    private ulong[] _buckets = new ulong[64];
    private Entry[] _entries = new Entry[32];
    private byte[] _bytes = new byte[256];
    private int _bytesUsed;

    /// <summary>The number of distinct strings.</summary>
    public int Count { get; private set; }

    /// <summary>The code of <paramref name="key"/>, adding it when new.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int GetOrAdd(ReadOnlySpan<byte> key)
    {
        var hash = Hash(key);
        var mask = _buckets.Length - 1;
        var slot = (int)hash & mask;
        while (true)
        {
            var bucket = _buckets[slot];
            if (bucket == 0)
            {
                break;
            }
            if ((uint)(bucket >> 32) == hash)
            {
                var code = (int)(uint)bucket - 1;
                var entry = _entries[code];
                if (key.SequenceEqual(_bytes.AsSpan(entry.Offset, entry.Length)))
                {
                    return code;
                }
            }
            slot = (slot + 1) & mask;
        }
        return Add(key, hash, slot);
    }

    /// <summary>The bytes of the string with code <paramref name="code"/>.</summary>
    public ReadOnlySpan<byte> GetKey(int code)
    {
        var entry = _entries[code];
        return _bytes.AsSpan(entry.Offset, entry.Length);
    }

    /// <summary>The strings decoded from UTF-8, indexed by code.</summary>
    public string[] ToStrings()
    {
        var strings = new string[Count];
        for (var i = 0; i < strings.Length; i++)
        {
            strings[i] = Encoding.UTF8.GetString(GetKey(i));
        }
        return strings;
    }

    private int Add(ReadOnlySpan<byte> key, uint hash, int slot)
    {
        if (_bytesUsed + key.Length > _bytes.Length)
        {
            Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _bytesUsed + key.Length));
        }
        key.CopyTo(_bytes.AsSpan(_bytesUsed));
        if (Count == _entries.Length)
        {
            Array.Resize(ref _entries, _entries.Length * 2);
        }
        var code = Count++;
        _entries[code] = new Entry(_bytesUsed, key.Length);
        _bytesUsed += key.Length;
        _buckets[slot] = Bucket(hash, code);
        if (Count * 2 > _buckets.Length)
        {
            Rehash();
        }
        return code;
    }

    private void Rehash()
    {
        var buckets = new ulong[_buckets.Length * 2];
        var mask = buckets.Length - 1;
        foreach (var bucket in _buckets)
        {
            if (bucket == 0)
            {
                continue;
            }
            var slot = (int)(uint)(bucket >> 32) & mask;
            while (buckets[slot] != 0)
            {
                slot = (slot + 1) & mask;
            }
            buckets[slot] = bucket;
        }
        _buckets = buckets;
    }

    private static ulong Bucket(uint hash, int code) => ((ulong)hash << 32) | (uint)(code + 1);

    private static uint Hash(ReadOnlySpan<byte> key)
    {
        var hash = 0x9E3779B97F4A7C15UL ^ (ulong)key.Length;
        while (key.Length >= 8)
        {
            hash = (hash ^ BinaryPrimitives.ReadUInt64LittleEndian(key)) * 0xFF51AFD7ED558CCDUL;
            hash ^= hash >> 32;
            key = key[8..];
        }
        ulong tail = 0;
        for (var i = 0; i < key.Length; i++)
        {
            tail |= (ulong)key[i] << (8 * i);
        }
        hash = (hash ^ tail) * 0xC4CEB9FE1A85EC53UL;
        hash ^= hash >> 29;
        return (uint)hash;
    }

    private readonly record struct Entry(int Offset, int Length);
}
