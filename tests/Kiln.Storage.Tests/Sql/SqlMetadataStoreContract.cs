using Kiln.Core.Stores;
using Kiln.Storage.Sql;
using Kiln.Storage.Tests.Sql.Tracking;

namespace Kiln.Storage.Tests.Sql;

/// <summary>The tracking contract plus what every SQL metadata store must do: migrations recorded once, a newer schema refused.</summary>
public abstract class SqlMetadataStoreContract : TrackingStoreContract
{
    /// <summary>The dialect for a fresh, empty database.</summary>
    protected abstract Task<SqlDialect> CreateDialectAsync();

    /// <summary>A second dialect on the same database (another "process").</summary>
    protected abstract SqlDialect SecondDialect();

    protected SqlMetadataStore Sql => (SqlMetadataStore)Metadata;

    protected override async Task<IMetadataStore> OpenStoreAsync() => await SqlMetadataStore.OpenAsync(await CreateDialectAsync());

    protected override async Task<IMetadataStore> OpenSecondAsync() => await SqlMetadataStore.OpenAsync(SecondDialect());

    [Fact]
    public async Task Migrations_are_recorded_and_not_applied_twice()
    {
        var all = SchemaMigrations.All.Select(m => m.Version).ToList();
        Assert.Equal(all, await Sql.AppliedMigrationsAsync());
        await using var again = (SqlMetadataStore)await OpenSecondAsync();
        Assert.Equal(all, await again.AppliedMigrationsAsync());
    }

    [Fact]
    public async Task A_database_from_a_newer_kiln_is_refused_with_a_message()
    {
        await using (var connection = await Sql.Dialect.OpenAsync(default))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', 0)";
            await command.ExecuteNonQueryAsync();
        }
        var e = await Assert.ThrowsAsync<Kiln.Core.Errors.KilnException>(OpenSecondAsync);
        Assert.Equal(Kiln.Core.Errors.ErrorCode.InvalidState, e.Code);
        Assert.Contains("schema version 99", e.Message);
        Assert.Contains("Upgrade Kiln", e.Message);
    }
}
