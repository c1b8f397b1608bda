using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;

namespace Kiln.Tabular.Csv;

/// <summary>Parses invariant-culture numbers straight from UTF-8 bytes.</summary>
/// <remarks>The fast path is Clinger's: up to 19 significant digits with a mantissa of at most 2^53 and a decimal exponent
/// within ±22 convert exactly with one multiplication or division, so the result is correctly rounded. Everything else
/// goes to the runtime's parser.</remarks>
internal static class Utf8Number
{
    private const int MaxExactDigits = 19;
    private const ulong ExactLimit = 1UL << 53;

    private static ReadOnlySpan<ulong> PowersOfTenInteger => [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000];

    private static ReadOnlySpan<double> PowersOfTen =>
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];

    /// <summary>Parses the number starting at <paramref name="pos"/> if it runs up to a field terminator
    /// (the separator, LF, CRLF, a final CR, or the end of <paramref name="data"/>).</summary>
    /// <returns>The position of the terminator, or -1 when the field is not a number (then <paramref name="value"/> is 0).</returns>
    /// <remarks>Returns the position rather than taking it by reference so that callers' position stays in a register.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ParseField(ReadOnlySpan<byte> data, int pos, byte separator, out double value)
    {
        var i = pos;
        var length = data.Length;

        // Branch-free sign handling: half the values in typical data are negative, so a branch would mispredict often.
        var sign = i < length ? data[i] : (byte)0;
        var negative = sign == '-' ? 1 : 0;
        i += negative | (sign == '+' ? 1 : 0);

        ulong mantissa = 0;
        var digitsStart = i;
        i = ReadDigits(data, i, ref mantissa);
        var digits = i - digitsStart;
        var exponent = 0;
        if (i < length && data[i] == '.')
        {
            var fractionStart = i + 1;
            i = ReadDigits(data, fractionStart, ref mantissa);
            exponent = fractionStart - i;
            digits -= exponent;
        }
        if (digits == 0)
        {
            value = 0;
            return -1;
        }
        if (i < length && (data[i] | 0x20) == 'e')
        {
            i++;
            var exponentNegative = false;
            if (i < length && (data[i] == '-' || data[i] == '+'))
            {
                exponentNegative = data[i] == '-';
                i++;
            }
            var exponentStart = i;
            var explicitExponent = 0;
            while (i < length)
            {
                var digit = (uint)(data[i] - '0');
                if (digit > 9)
                {
                    break;
                }
                if (explicitExponent < 100_000)
                {
                    explicitExponent = (explicitExponent * 10) + (int)digit;
                }
                i++;
            }
            if (i == exponentStart)
            {
                value = 0;
                return -1;
            }
            exponent += exponentNegative ? -explicitExponent : explicitExponent;
        }
        if (i < length)
        {
            var terminator = data[i];
            if (terminator != separator && terminator != '\n' && !(terminator == '\r' && (i + 1 == length || data[i + 1] == '\n')))
            {
                value = 0;
                return -1;
            }
        }

        // More than 19 digits may have overflowed the mantissa; leave those to the runtime's parser.
        if (digits <= MaxExactDigits && mantissa <= ExactLimit)
        {
            if (exponent == 0 || mantissa == 0)
            {
                value = (long)mantissa;
            }
            else if (exponent < 0 && exponent >= -22)
            {
                value = (long)mantissa / PowersOfTen[-exponent];
            }
            else if (exponent > 0 && exponent <= 22)
            {
                value = (long)mantissa * PowersOfTen[exponent];
            }
            else
            {
                value = SlowParse(data[pos..i]);
                return i;
            }
            value = BitConverter.UInt64BitsToDouble(BitConverter.DoubleToUInt64Bits(value) | ((ulong)negative << 63));
            return i;
        }
        value = SlowParse(data[pos..i]);
        return i;
    }

    /// <summary>Accumulates the run of ASCII digits at <paramref name="i"/> into <paramref name="mantissa"/> (which wraps
    /// past 19 digits; callers check the count) and returns the position after the run. Eight bytes at a time where it can,
    /// which avoids a hard-to-predict branch per digit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ReadDigits(ReadOnlySpan<byte> data, int i, ref ulong mantissa)
    {
        while (i <= data.Length - sizeof(ulong))
        {
            var block = BinaryPrimitives.ReadUInt64LittleEndian(data[i..]);
            var offsets = block ^ 0x3030303030303030UL;

            // A byte is a digit when (byte ^ '0') <= 9, i.e. adding 0x76 leaves its top bit clear. Carries only
            // move towards later bytes, so the first non-digit is always flagged correctly.
            var nonDigits = ((offsets + 0x7676767676767676UL) | offsets) & 0x8080808080808080UL;
            var count = BitOperations.TrailingZeroCount(nonDigits) >> 3;
            if (count == 0)
            {
                return i;
            }
            mantissa = (mantissa * PowersOfTenInteger[count]) + EightDigits(offsets << (8 * (8 - count)));
            i += count;
            if (count < 8)
            {
                return i;
            }
        }
        while (i < data.Length)
        {
            var digit = (uint)(data[i] - '0');
            if (digit > 9)
            {
                break;
            }
            mantissa = (mantissa * 10) + digit;
            i++;
        }
        return i;
    }

    /// <summary>The value of eight digit bytes (0-9 each, first digit in the lowest byte), by SWAR multiplication.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong EightDigits(ulong digits)
    {
        const ulong Mask = 0x000000FF000000FFUL;
        const ulong Multiplier1 = 100 + (1_000_000UL << 32);
        const ulong Multiplier2 = 1 + (10_000UL << 32);
        digits = (digits * 10) + (digits >> 8);
        return (((digits & Mask) * Multiplier1) + (((digits >> 16) & Mask) * Multiplier2)) >> 32;
    }

    /// <summary>Parses a whole field as a number: invariant culture, surrounding white space allowed,
    /// <c>inf</c>/<c>infinity</c> with an optional sign accepted.</summary>
    public static bool TryParse(ReadOnlySpan<byte> field, out double value)
    {
        if (ParseField(field, 0, (byte)',', out value) == field.Length)
        {
            return true;
        }
        if (double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
        {
            return true;
        }
        return TryParseInfinity(field.Trim(" \t"u8), out value);
    }

    /// <summary>Parses text already known to match the number grammar (so it cannot fail; overflow gives infinity).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static double SlowParse(ReadOnlySpan<byte> number) => double.Parse(number, NumberStyles.Float, CultureInfo.InvariantCulture);

    private static bool TryParseInfinity(ReadOnlySpan<byte> text, out double value)
    {
        var sign = 1.0;
        if (text.Length > 0 && (text[0] == '-' || text[0] == '+'))
        {
            sign = text[0] == '-' ? -1.0 : 1.0;
            text = text[1..];
        }
        if (Ascii.EqualsIgnoreCase(text, "inf"u8) || Ascii.EqualsIgnoreCase(text, "infinity"u8))
        {
            value = sign * double.PositiveInfinity;
            return true;
        }
        value = 0;
        return false;
    }
}
