using Kiln.Storage.Sql;
using Kiln.Storage.Sqlite;
using Kiln.Storage.Tests.Sql;

namespace Kiln.Storage.Tests.Sqlite;

/// <summary>The store contract on a real SQLite file.</summary>
public sealed class SqliteDialectTests : SqlMetadataStoreContract
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-sqlite-").FullName;

    private string DbPath => Path.Combine(_dir, "kiln.db");

    protected override Task<SqlDialect> CreateDialectAsync() => Task.FromResult<SqlDialect>(new SqliteDialect(DbPath));

    /// <summary>Its own write lock, so it contends through SQLite's file locks as another process would.</summary>
    protected override SqlDialect SecondDialect() => new SqliteDialect(DbPath, null, shareProcessLock: false);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task The_database_is_in_wal_mode()
    {
        await using var connection = await Sql.Dialect.OpenAsync(default);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
    }

    [Fact]
    public void Like_patterns_become_case_sensitive_globs()
    {
        var dialect = (SqliteDialect)Sql.Dialect;
        Assert.Equal("a*b?c[*][?][[]", dialect.LikePattern("a%b_c*?["));
    }
}

/// <summary>How sqlite: URIs are read.</summary>
public sealed class SqliteUriTests
{
    [Fact]
    public async Task Synchronous_option_is_accepted_and_unknown_options_are_rejected()
    {
        var dir = Directory.CreateTempSubdirectory("kiln-uri-").FullName;
        await using (var store = await StoreFactories.OpenMetadataAsync($"sqlite:///{dir}/a.db?synchronous=full"))
        {
            Assert.Equal("Default", (await store.Tracking.GetExperimentAsync("0")).Name);
        }
        var e = Assert.Throws<Kiln.Core.Errors.KilnException>(() => StoreFactories.Metadata.Open($"sqlite:///{dir}/b.db?journal=off"));
        Assert.Contains("journal=off", e.Message);
        Assert.Throws<Kiln.Core.Errors.KilnException>(() => StoreFactories.Metadata.Open("sqlite://"));
        var unknown = Assert.Throws<Kiln.Core.Errors.KilnException>(() => StoreFactories.Metadata.Open("mysql://h/db"));
        Assert.Contains("postgresql:, sqlite:", unknown.Message);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(dir, recursive: true);
    }
}
