using System.Buffers;
using System.Text;

namespace Kiln.Core.Serving;

/// <summary>Where a logged row came from: the deployment, route and model version that answered it (shared by every row
/// of a request, and held by reference, so a row costs no allocation of its own).</summary>
/// <param name="Deployment">The deployment.</param>
/// <param name="Route">The route that answered.</param>
/// <param name="ModelName">The registered model, or null.</param>
/// <param name="ModelVersion">Its version, or null.</param>
/// <param name="Shadow">Whether a shadow route made it.</param>
/// <param name="InputNames">When set, the rows' inputs are written as a JSON array of values in this order (a JSON array
/// of names), which the store keeps once rather than in every row and puts back when the rows are read; when null,
/// each row's inputs are a JSON object.</param>
public sealed record PredictionSource(string Deployment, string Route, string? ModelName, int? ModelVersion, bool Shadow, string? InputNames = null);

/// <summary>One row of <see cref="PredictionRows"/>: its text fields as ranges of the batch's UTF-8 buffer.</summary>
/// <param name="Source">The deployment, route and model version.</param>
/// <param name="Time">When it was served (Unix milliseconds).</param>
/// <param name="LatencyMs">The request's scoring time.</param>
/// <param name="RequestId">The request id (ID, or ID:ROW past a request's first row).</param>
/// <param name="Inputs">The row's features as a JSON object, or as an array in the order of
/// <see cref="PredictionSource.InputNames"/> when the source has them.</param>
/// <param name="Outputs">Its answer as JSON.</param>
public readonly record struct PredictionRow(PredictionSource Source, long Time, double LatencyMs, Range RequestId, Range Inputs, Range Outputs);

/// <summary>
/// A batch of logged rows with every text field UTF-8 encoded in one growing buffer: what the serving log's writer fills
/// and hands the store, with no string or object per row (at tens of thousands of rows a second, per-row objects that
/// live until their batch is written are what the garbage collector spends its time on). It is an
/// <see cref="IBufferWriter{T}"/>, so JSON is written straight into it; <see cref="Add"/> then records a row whose
/// fields are ranges of what was written.
/// </summary>
public sealed class PredictionRows : IBufferWriter<byte>
{
    private byte[] _bytes;
    private PredictionRow[] _rows;

    /// <summary>An empty batch with room for about <paramref name="bytes"/> bytes of text.</summary>
    public PredictionRows(int bytes = 64 * 1024)
    {
        _bytes = new byte[Math.Max(bytes, 256)];
        _rows = new PredictionRow[Math.Max(bytes / 512, 16)];
    }

    /// <summary>Rows added.</summary>
    public int Count { get; private set; }

    /// <summary>Bytes of text written.</summary>
    public int Length { get; private set; }

    /// <summary>Row <paramref name="index"/>.</summary>
    public PredictionRow this[int index] => index < Count ? _rows[index] : throw new ArgumentOutOfRangeException(nameof(index));

    /// <summary>The UTF-8 text of one field of a row.</summary>
    public ReadOnlySpan<byte> Text(Range field) => _bytes.AsSpan(0, Length)[field];

    /// <summary>Records a row whose fields were written to this buffer.</summary>
    public void Add(in PredictionRow row)
    {
        if (Count == _rows.Length)
        {
            Array.Resize(ref _rows, _rows.Length * 2);
        }
        _rows[Count++] = row;
    }

    /// <summary>Writes <paramref name="text"/> (ASCII or UTF-8) and returns its range.</summary>
    public Range Write(ReadOnlySpan<byte> text)
    {
        var start = Length;
        text.CopyTo(GetSpan(text.Length));
        Advance(text.Length);
        return start..Length;
    }

    /// <summary>Writes <paramref name="text"/> UTF-8 encoded and returns its range.</summary>
    public Range Write(string text)
    {
        var start = Length;
        var written = Encoding.UTF8.GetBytes(text, GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length)));
        Advance(written);
        return start..Length;
    }

    /// <summary>Appends every row of <paramref name="other"/> (their text copied, their ranges moved).</summary>
    public void AddAll(PredictionRows other)
    {
        var shift = Length;
        other._bytes.AsSpan(0, other.Length).CopyTo(GetSpan(other.Length));
        Advance(other.Length);
        for (var i = 0; i < other.Count; i++)
        {
            var r = other._rows[i];
            Add(r with { RequestId = Move(r.RequestId, shift), Inputs = Move(r.Inputs, shift), Outputs = Move(r.Outputs, shift) });
        }
    }

    /// <summary>Empties the batch, keeping its buffers (shrunk back when a burst grew them past <paramref name="keepBytes"/>).</summary>
    public void Clear(int keepBytes = 8 * 1024 * 1024)
    {
        if (_bytes.Length > keepBytes)
        {
            _bytes = new byte[keepBytes];
            _rows = new PredictionRow[Math.Max(keepBytes / 512, 16)];
        }
        else
        {
            Array.Clear(_rows, 0, Count); // let go of the sources
        }
        Count = 0;
        Length = 0;
    }

    /// <summary>Row <paramref name="index"/> as a record with strings (for stores that take them, and for reading back).</summary>
    public PredictionRecord Record(int index)
    {
        var r = this[index];
        return new PredictionRecord(Encoding.UTF8.GetString(Text(r.RequestId)), r.Source.Deployment, r.Source.Route, r.Source.ModelName, r.Source.ModelVersion,
            r.Time, r.LatencyMs, Encoding.UTF8.GetString(Text(r.Inputs)), Encoding.UTF8.GetString(Text(r.Outputs)), r.Source.Shadow);
    }

    /// <summary>Records rows <paramref name="start"/> to <paramref name="start"/> + <paramref name="count"/>.</summary>
    public IReadOnlyList<PredictionRecord> Records(int start, int count) => [.. Enumerable.Range(start, Math.Min(count, Count - start)).Select(Record)];

    /// <summary>Records with strings, as a batch (records of the same deployment, route, model version and shadow share one
    /// source object, as a served model's rows do).</summary>
    public static PredictionRows From(IEnumerable<PredictionRecord> records)
    {
        var rows = new PredictionRows();
        var sources = new Dictionary<PredictionSource, PredictionSource>();
        foreach (var r in records)
        {
            var key = new PredictionSource(r.Deployment, r.Route, r.ModelName, r.ModelVersion, r.Shadow);
            if (!sources.TryGetValue(key, out var source))
            {
                sources[key] = source = key;
            }
            rows.Add(new PredictionRow(source, r.Time, r.LatencyMs, rows.Write(r.RequestId), rows.Write(r.Inputs), rows.Write(r.Outputs)));
        }
        return rows;
    }

    /// <inheritdoc/>
    public void Advance(int count)
    {
        if (count < 0 || Length + count > _bytes.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }
        Length += count;
    }

    /// <inheritdoc/>
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _bytes.AsMemory(Length);
    }

    /// <inheritdoc/>
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _bytes.AsSpan(Length);
    }

    private void Ensure(int sizeHint)
    {
        var need = Length + Math.Max(sizeHint, 256);
        if (need > _bytes.Length)
        {
            Array.Resize(ref _bytes, Math.Max(need, _bytes.Length * 2));
        }
    }

    private static Range Move(Range range, int shift) => (range.Start.Value + shift)..(range.End.Value + shift);
}
