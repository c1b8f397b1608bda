using Kiln.Storage.Sql;
using Kiln.Storage.Sqlite;
using Kiln.Storage.Tests.Sql;

namespace Kiln.Storage.Tests.Sqlite;

/// <summary>The store contract on a real SQLite file.</summary>
public sealed class SqliteTrackingStoreTests : TrackingStoreContract
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
        await using var connection = await Store.Dialect.OpenAsync(default);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_database_from_a_newer_kiln_is_refused_with_a_message()
    {
        await using (var connection = await Store.Dialect.OpenAsync(default))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', 0)";
            await command.ExecuteNonQueryAsync();
        }
        var e = await Assert.ThrowsAsync<Kiln.Core.Errors.KilnException>(() => SqlTrackingStore.OpenAsync(SecondDialect(), "mlflow-artifacts:"));
        Assert.Contains("schema version 99", e.Message);
        Assert.Contains("Upgrade Kiln", e.Message);
    }

    [Fact]
    public void Like_patterns_become_case_sensitive_globs()
    {
        var dialect = (SqliteDialect)Store.Dialect;
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
        await using (var store = await Stores.OpenTrackingAsync($"sqlite:///{dir}/a.db?synchronous=full", "mlflow-artifacts:"))
        {
            Assert.Equal("Default", (await store.GetExperimentAsync("0")).Name);
        }
        var e = Assert.Throws<Kiln.Core.Errors.KilnException>(() => Stores.Dialects.Open($"sqlite:///{dir}/b.db?journal=off"));
        Assert.Contains("journal=off", e.Message);
        Assert.Throws<Kiln.Core.Errors.KilnException>(() => Stores.Dialects.Open("sqlite://"));
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(dir, recursive: true);
    }
}
