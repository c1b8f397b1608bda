using Kiln.Engine.Hosting;

namespace Kiln.Engine.Tests;

/// <summary>A fresh Kiln home (SQLite store + artifact folder) in a temporary directory for each test.</summary>
public abstract class TempKiln : IAsyncLifetime
{
    protected string Dir { get; } = Directory.CreateTempSubdirectory("kiln-engine-").FullName;

    protected KilnContext Kiln { get; private set; } = null!;

    public async Task InitializeAsync() => Kiln = await KilnContext.OpenAsync(KilnSettings.Resolve(home: Dir));

    public async Task DisposeAsync()
    {
        await Kiln.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Dir, recursive: true);
    }
}
