using System.Runtime.CompilerServices;
using System.Text;

namespace Kiln.Tabular.Csv;

/// <summary>Recognises the field contents that mean "missing", on raw UTF-8 bytes.</summary>
internal sealed class MissingTokens
{
    private readonly byte[][] _tokens;
    private readonly int _maxLength;
    private readonly bool _emptyIsMissing;
    private readonly bool[] _isFirstByte = new bool[256];

    public MissingTokens(IReadOnlyList<string> tokens)
    {
        var list = new List<byte[]>();
        foreach (var token in tokens)
        {
            if (token.Length == 0)
            {
                _emptyIsMissing = true;
                continue;
            }
            list.Add(Encoding.ASCII.GetBytes(token));
            _isFirstByte[char.ToUpperInvariant(token[0])] = true;
            _isFirstByte[char.ToLowerInvariant(token[0])] = true;
            _maxLength = Math.Max(_maxLength, token.Length);
        }
        _tokens = [.. list];
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool IsMissing(ReadOnlySpan<byte> field)
    {
        if (field.Length == 0)
        {
            return _emptyIsMissing;
        }
        if (field.Length > _maxLength || !_isFirstByte[field[0]])
        {
            return false;
        }
        foreach (var token in _tokens)
        {
            if (token.Length == field.Length && Ascii.EqualsIgnoreCase(field, token))
            {
                return true;
            }
        }
        return false;
    }
}
