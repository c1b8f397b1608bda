namespace Kiln.Testing;

/// <summary>A fresh temporary directory, deleted (with any SQLite connections in it released) on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    /// <summary>Creates <c>/tmp/&lt;prefix&gt;XXXX</c>.</summary>
    public TempDirectory(string prefix = "kiln-test-") => Path = Directory.CreateTempSubdirectory(prefix).FullName;

    /// <summary>The directory.</summary>
    public string Path { get; }

    /// <summary>A path inside the directory.</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>The sqlite URI of a database file inside the directory.</summary>
    public string SqliteUri(string name = "kiln.db") => "sqlite:///" + File(name);

    /// <inheritdoc />
    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
