using Npgsql;

namespace Kiln.Testing;

/// <summary>
/// A fresh database on the PostgreSQL server named by KILN_TEST_POSTGRES (an Npgsql connection string),
/// dropped afterwards. A missing or unreachable server fails the test: it is never skipped.
/// </summary>
public sealed class PostgresTestDatabase : IAsyncDisposable
{
    private readonly string _adminConnectionString;

    private PostgresTestDatabase(string adminConnectionString, string name, string connectionString)
    {
        _adminConnectionString = adminConnectionString;
        Name = name;
        ConnectionString = connectionString;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    /// <summary>The server's admin connection string from the environment, or the local default.</summary>
    public static string AdminConnectionString =>
        Environment.GetEnvironmentVariable("KILN_TEST_POSTGRES") is { Length: > 0 } value
            ? value
            : "Host=127.0.0.1;Port=5432;Username=postgres;Database=postgres";

    public static async Task<PostgresTestDatabase> CreateAsync()
    {
        var admin = AdminConnectionString;
        var name = "kiln_test_" + Guid.NewGuid().ToString("N")[..12];
        try
        {
            await using var connection = new NpgsqlConnection(admin);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }
        catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException)
        {
            throw new InvalidOperationException(
                $"PostgreSQL is required for these tests and could not be reached with KILN_TEST_POSTGRES='{admin}'. Run ./test.sh, which starts one. ({e.Message})", e);
        }
        var builder = new NpgsqlConnectionStringBuilder(admin) { Database = name, Pooling = true };
        return new PostgresTestDatabase(admin, name, builder.ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_adminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}
