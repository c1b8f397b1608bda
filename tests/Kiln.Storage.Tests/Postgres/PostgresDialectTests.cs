using Kiln.Storage.Postgres;
using Kiln.Storage.Sql;
using Kiln.Storage.Tests.Sql;
using Kiln.Testing;

namespace Kiln.Storage.Tests.Postgres;

/// <summary>The store contract on a real PostgreSQL server (KILN_TEST_POSTGRES), in a database of its own.</summary>
public sealed class PostgresDialectTests : SqlMetadataStoreContract
{
    private PostgresTestDatabase? _database;

    protected override async Task<SqlDialect> CreateDialectAsync()
    {
        _database = await PostgresTestDatabase.CreateAsync();
        return new PostgresDialect(_database.ConnectionString);
    }

    protected override SqlDialect SecondDialect() => new PostgresDialect(_database!.ConnectionString);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    [Fact]
    public void Uris_convert_to_connection_strings()
    {
        var cs = PostgresDialect.ConnectionStringFromUri("postgresql://kiln:s%40cret@db.example:6543/tracking?sslmode=disable");
        Assert.Contains("Host=db.example", cs);
        Assert.Contains("Port=6543", cs);
        Assert.Contains("Database=tracking", cs);
        Assert.Contains("Username=kiln", cs);
        Assert.Contains("Password=s@cret", cs);
        Assert.Contains("SSL Mode=Disable", cs);
    }
}
