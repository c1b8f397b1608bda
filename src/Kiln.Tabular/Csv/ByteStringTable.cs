using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace Kiln.Tabular.Csv;

/// <summary>Assigns dense codes to distinct byte strings in first-seen order, without allocating a string per lookup.</summary>
internal sealed class ByteStringTable
{
    private int[] _buckets = new int[64];
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
            var entryIndex = _buckets[slot] - 1;
            if (entryIndex < 0)
            {
                break;
            }
            ref var entry = ref _entries[entryIndex];
            if (entry.Hash == hash && key.SequenceEqual(_bytes.AsSpan(entry.Offset, entry.Length)))
            {
                return entryIndex;
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
        _entries[code] = new Entry(hash, _bytesUsed, key.Length);
        _bytesUsed += key.Length;
        _buckets[slot] = code + 1;
        if (Count * 2 > _buckets.Length)
        {
            Rehash();
        }
        return code;
    }

    private void Rehash()
    {
        var buckets = new int[_buckets.Length * 2];
        var mask = buckets.Length - 1;
        for (var code = 0; code < Count; code++)
        {
            var slot = (int)_entries[code].Hash & mask;
            while (buckets[slot] != 0)
            {
                slot = (slot + 1) & mask;
            }
            buckets[slot] = code + 1;
        }
        _buckets = buckets;
    }

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

    private readonly record struct Entry(uint Hash, int Offset, int Length);
}
