using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Kiln.Tabular.Csv;

/// <summary>Parses invariant-culture numbers straight from UTF-8 bytes.</summary>
/// <remarks>The fast path is Clinger's: up to 19 significant digits with a mantissa of at most 2^53 and a decimal exponent
/// within ±22 convert exactly with one multiplication or division, so the result is correctly rounded. Everything else
/// goes to <see cref="double.TryParse(ReadOnlySpan{byte}, NumberStyles, IFormatProvider?, out double)"/>.</remarks>
internal static class Utf8Number
{
    private const ulong MantissaLimit = 1_000_000_000_000_000_000;
    private const ulong ExactLimit = 1UL << 53;

    private static readonly double[] PowersOfTen =
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];

    /// <summary>Parses the number starting at <paramref name="pos"/> if it runs up to a field terminator
    /// (the separator, LF, CRLF, a final CR, or the end of <paramref name="data"/>); on success moves
    /// <paramref name="pos"/> to the terminator.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryParseField(ReadOnlySpan<byte> data, ref int pos, byte separator, out double value)
    {
        var i = pos;
        var length = data.Length;
        var negative = false;
        if (i < length)
        {
            var sign = data[i];
            if (sign == '-')
            {
                negative = true;
                i++;
            }
            else if (sign == '+')
            {
                i++;
            }
        }

        ulong mantissa = 0;
        var exponent = 0;
        var truncated = false;
        var digitsStart = i;
        while (i < length)
        {
            var digit = (uint)(data[i] - '0');
            if (digit > 9)
            {
                break;
            }
            if (mantissa < MantissaLimit)
            {
                mantissa = (mantissa * 10) + digit;
            }
            else
            {
                exponent++;
                truncated |= digit != 0;
            }
            i++;
        }
        var digits = i - digitsStart;
        if (i < length && data[i] == '.')
        {
            i++;
            var fractionStart = i;
            while (i < length)
            {
                var digit = (uint)(data[i] - '0');
                if (digit > 9)
                {
                    break;
                }
                if (mantissa < MantissaLimit)
                {
                    mantissa = (mantissa * 10) + digit;
                    exponent--;
                }
                else
                {
                    truncated |= digit != 0;
                }
                i++;
            }
            digits += i - fractionStart;
        }
        if (digits == 0)
        {
            value = 0;
            return false;
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
                return false;
            }
            exponent += exponentNegative ? -explicitExponent : explicitExponent;
        }
        if (i < length)
        {
            var terminator = data[i];
            if (terminator != separator && terminator != '\n' && !(terminator == '\r' && (i + 1 == length || data[i + 1] == '\n')))
            {
                value = 0;
                return false;
            }
        }

        if (!truncated && mantissa <= ExactLimit)
        {
            if (exponent == 0 || mantissa == 0)
            {
                value = mantissa;
            }
            else if (exponent < 0 && exponent >= -22)
            {
                value = mantissa / PowersOfTen[-exponent];
            }
            else if (exponent > 0 && exponent <= 22)
            {
                value = mantissa * PowersOfTen[exponent];
            }
            else
            {
                return SlowParse(data, ref pos, i, out value);
            }
            if (negative)
            {
                value = -value;
            }
            pos = i;
            return true;
        }
        return SlowParse(data, ref pos, i, out value);
    }

    /// <summary>Parses a whole field as a number: invariant culture, surrounding white space allowed,
    /// <c>inf</c>/<c>infinity</c> with an optional sign accepted.</summary>
    public static bool TryParse(ReadOnlySpan<byte> field, out double value)
    {
        var pos = 0;
        if (TryParseField(field, ref pos, (byte)',', out value) && pos == field.Length)
        {
            return true;
        }
        if (double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
        {
            return true;
        }
        return TryParseInfinity(field.Trim(" \t"u8), out value);
    }

    private static bool SlowParse(ReadOnlySpan<byte> data, ref int pos, int end, out double value)
    {
        if (double.TryParse(data[pos..end], NumberStyles.Float, CultureInfo.InvariantCulture, out value))
        {
            pos = end;
            return true;
        }
        return false;
    }

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
