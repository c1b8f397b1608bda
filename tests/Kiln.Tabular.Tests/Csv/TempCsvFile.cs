using System.Text;

namespace Kiln.Tabular.Tests.Csv;

/// <summary>A CSV file in the temp directory, deleted on dispose.</summary>
internal sealed class TempCsvFile : IDisposable
{
    public TempCsvFile(string content, bool byteOrderMark = false)
        : this(Encoding.UTF8.GetBytes(content), byteOrderMark)
    {
    }

    public TempCsvFile(byte[] content, bool byteOrderMark = false)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"kiln-tabular-{Guid.NewGuid():N}.csv");
        File.WriteAllBytes(Path, byteOrderMark ? [0xEF, 0xBB, 0xBF, .. content] : content);
    }

    public string Path { get; }

    public void Dispose() => File.Delete(Path);
}
