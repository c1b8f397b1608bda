using Kiln.Core.Errors;
using System.Buffers;
using System.IO.MemoryMappedFiles;

namespace Kiln.Tabular.Csv;

/// <summary>A read-only memory-mapped file exposed as <see cref="Memory{T}"/>. Mapping instead of reading avoids copying
/// the file into a fresh array (the pages come straight from the OS file cache), which is a large share of load time.</summary>
internal sealed unsafe class MappedFile : MemoryManager<byte>
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _pointer;
    private readonly int _length;
    private bool _disposed;

    private MappedFile(MemoryMappedFile file, MemoryMappedViewAccessor view, int length)
    {
        _file = file;
        _view = view;
        _length = length;
        byte* pointer = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _pointer = pointer + view.PointerOffset;
    }

    /// <summary>Maps the file at <paramref name="path"/>, or returns null when it is empty (an empty file cannot be mapped).</summary>
    /// <exception cref="KilnException">The file does not exist (RESOURCE_DOES_NOT_EXIST) or is 2 GB or larger.</exception>
    public static MappedFile? Open(string path)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.None);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw KilnException.FileNotFound(path, e);
        }
        MemoryMappedFile? file = null;
        try
        {
            var length = stream.Length;
            if (length == 0)
            {
                stream.Dispose();
                return null;
            }
            if (length > Array.MaxLength)
            {
                throw KilnException.Invalid($"{path} is {length:N0} bytes; CsvReader reads files up to {Array.MaxLength:N0} bytes. Split the file.");
            }

            // The mapping takes over the stream and closes it when disposed.
            file = MemoryMappedFile.CreateFromFile(stream, mapName: null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            return new MappedFile(file, file.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read), (int)length);
        }
        catch
        {
            file?.Dispose();
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Tells the OS this process is done with bytes [<paramref name="start"/>, <paramref name="end"/>) for now
    /// (Linux: madvise DONTNEED on the whole pages inside the range). The pages leave the process's resident set but stay in
    /// the file cache; reading them again maps them back with the same content, so a range shared with a chunk still being
    /// read is safe to release. Elsewhere this does nothing.</summary>
    public void Release(int start, int end)
    {
        if (!OperatingSystem.IsLinux() || _disposed)
        {
            return;
        }
        var page = Environment.SystemPageSize;
        var address = (nuint)(_pointer + start);
        var first = (address + (nuint)page - 1) & ~((nuint)page - 1);
        var last = (nuint)(_pointer + end) & ~((nuint)page - 1);
        if (last > first)
        {
            _ = Madvise((void*)first, last - first, DontNeed);
        }
    }

    private const int DontNeed = 4;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "madvise")]
    private static extern int Madvise(void* address, nuint length, int advice);

    /// <inheritdoc />
    public override Span<byte> GetSpan()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new Span<byte>(_pointer, _length);
    }

    /// <inheritdoc />
    public override MemoryHandle Pin(int elementIndex = 0) => new(_pointer + elementIndex);

    /// <inheritdoc />
    public override void Unpin()
    {
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }
}
