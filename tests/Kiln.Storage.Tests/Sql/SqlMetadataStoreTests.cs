using Kiln.Core.Errors;
using Kiln.Storage.Postgres;
using Kiln.Storage.Sql;
using Kiln.Testing;

namespace Kiln.Storage.Tests.Sql;

/// <summary>A database that cannot be reached or read is a clear error naming where it is, never a crash.</summary>
public sealed class SqlMetadataStoreTests
{
    [Fact]
    public async Task An_unreachable_postgresql_server_is_named_with_host_and_port()
    {
        await using var dialect = new PostgresDialect("Host=127.0.0.1;Port=1;Username=postgres;Database=kiln;Timeout=3");
        var e = await Assert.ThrowsAsync<KilnException>(() => SqlMetadataStore.OpenAsync(dialect));
        Assert.Equal(ErrorCode.TemporarilyUnavailable, e.Code);
        Assert.Contains("127.0.0.1:1/kiln", e.Message);
        Assert.Contains("--store", e.Message);
    }

    [Fact]
    public async Task A_sqlite_path_that_is_not_a_database_is_named()
    {
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("notes.db"), new string('x', 5000));
        var e = await Assert.ThrowsAsync<KilnException>(() => StoreFactories.OpenMetadataAsync(dir.SqliteUri("notes.db")));
        Assert.Contains("notes.db", e.Message);
        Assert.Contains("--store", e.Message);
    }
}
