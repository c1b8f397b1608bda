using System.Text;

namespace Kiln.Tabular.Csv;

/// <summary>Recognises the field contents that mean "missing", on raw UTF-8 bytes.</summary>
internal sealed class MissingTokens
{
    private readonly byte[][] _tokens;
    private readonly int _maxLength;
    private readonly bool _emptyIsMissing;

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
            _maxLength = Math.Max(_maxLength, token.Length);
        }
        _tokens = [.. list];
    }

    public bool IsMissing(ReadOnlySpan<byte> field)
    {
        if (field.Length == 0)
        {
            return _emptyIsMissing;
        }
        if (field.Length > _maxLength)
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
