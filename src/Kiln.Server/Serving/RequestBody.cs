using System.Buffers;

namespace Kiln.Server.Serving;

/// <summary>
/// A scoring request's body, usually in an array from the shared pool: <see cref="Dispose"/> gives it back, after the
/// rows read from it and the prediction log's copy of its numbers are done with it.
/// </summary>
public sealed class RequestBody : IDisposable
{
    private readonly bool _pooled;
    private readonly int _length;

    /// <summary>A body held in <paramref name="array"/> (not pooled).</summary>
    public RequestBody(byte[] array)
        : this(array, array.Length, pooled: false)
    {
    }

    private RequestBody(byte[] array, int length, bool pooled) => (Array, _length, _pooled) = (array, length, pooled);

    /// <summary>An array of at least <paramref name="length"/> bytes from the pool.</summary>
    public static RequestBody Rent(int length) => new(ArrayPool<byte>.Shared.Rent(length), length, pooled: true);

    /// <summary>The array the body starts at (it may be longer than the body).</summary>
    public byte[] Array { get; }

    /// <summary>The body's bytes.</summary>
    public ReadOnlySpan<byte> Span => Array.AsSpan(0, _length);

    /// <summary>The body's bytes.</summary>
    public ReadOnlyMemory<byte> Memory => Array.AsMemory(0, _length);

    private int _disposed;

    /// <inheritdoc />
    public void Dispose()
    {
        if (_pooled && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            ArrayPool<byte>.Shared.Return(Array);
        }
    }
}
