using System.Numerics;

namespace Kiln.Tabular.Statistics;

/// <summary>
/// A HyperLogLog distinct-count sketch (2^12 registers, about 1.6% standard error, 4 KiB): two sketches merge by taking
/// each register's maximum, so the distinct count of a union is estimated without the values.
/// </summary>
public sealed class HyperLogLog
{
    private const int Precision = 12;
    private const int RegisterCount = 1 << Precision;
    private readonly byte[] _registers;

    /// <summary>An empty sketch.</summary>
    public HyperLogLog()
        : this(new byte[RegisterCount])
    {
    }

    private HyperLogLog(byte[] registers) => _registers = registers;

    /// <summary>Adds a value by its 64-bit hash (see <see cref="Hash(double)"/> and <see cref="Hash(string)"/>).</summary>
    public void Add(ulong hash)
    {
        var index = (int)(hash >> (64 - Precision));
        var rank = (byte)(BitOperations.LeadingZeroCount((hash << Precision) | (1UL << (Precision - 1))) + 1);
        if (rank > _registers[index])
        {
            _registers[index] = rank;
        }
    }

    /// <summary>The estimated number of distinct values added.</summary>
    public long Estimate()
    {
        var sum = 0.0;
        var zeros = 0;
        foreach (var register in _registers)
        {
            sum += Math.ScaleB(1.0, -register);
            zeros += register == 0 ? 1 : 0;
        }
        const double m = RegisterCount;
        var alpha = 0.7213 / (1 + (1.079 / m));
        var estimate = alpha * m * m / sum;
        if (estimate <= 2.5 * m && zeros > 0)
        {
            estimate = m * Math.Log(m / zeros); // linear counting is exact-ish while registers are mostly empty
        }
        return (long)Math.Round(estimate);
    }

    /// <summary>A new sketch of the union of this one and <paramref name="other"/>.</summary>
    public HyperLogLog Merge(HyperLogLog other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var merged = new byte[RegisterCount];
        for (var i = 0; i < merged.Length; i++)
        {
            merged[i] = Math.Max(_registers[i], other._registers[i]);
        }
        return new HyperLogLog(merged);
    }

    /// <summary>The registers as base64, for storing in a profile.</summary>
    public string ToBase64() => Convert.ToBase64String(_registers);

    /// <summary>Reads a sketch written by <see cref="ToBase64"/>.</summary>
    /// <exception cref="FormatException">The text is not a sketch of this size.</exception>
    public static HyperLogLog FromBase64(string text)
    {
        var registers = Convert.FromBase64String(text);
        return registers.Length == RegisterCount ? new HyperLogLog(registers)
            : throw new FormatException($"A distinct-count sketch has {RegisterCount} registers, not {registers.Length}.");
    }

    /// <summary>The hash of a number (its bits, well mixed; -0.0 and 0.0 alike).</summary>
    public static ulong Hash(double value) => Mix(BitConverter.DoubleToUInt64Bits(value == 0 ? 0.0 : value));

    /// <summary>The hash of a string (FNV-1a over its UTF-16 code units, well mixed).</summary>
    public static ulong Hash(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var hash = 14695981039346656037UL;
        foreach (var c in value)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }
        return Mix(hash);
    }

    /// <summary>splitmix64's finaliser: every input bit affects every output bit.</summary>
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
