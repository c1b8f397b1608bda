using System.Collections.Concurrent;
using System.Data.Common;
using Kiln.Core.Errors;
using Kiln.Storage.Sql;
using Microsoft.Data.Sqlite;

namespace Kiln.Storage.Sqlite;

/// <summary>
/// The embedded default store: one SQLite file in WAL mode. Writers in one process queue on a lock;
/// writers in other processes wait on SQLite's busy timeout (BEGIN IMMEDIATE), so "database is locked"
/// does not reach users. Durability: with the default synchronous=NORMAL a committed write is in the WAL before
/// the call returns, so it survives a crash of the process; <c>?synchronous=full</c> on the URI also fsyncs every
/// commit, so it survives power loss, at about 1 ms per write.
/// </summary>
public sealed class SqliteDialect : SqlDialect, IAsyncDisposable
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> WriteLocks = new();

    private readonly string _connectionString;
    private readonly SemaphoreSlim _writeLock;
    private readonly string _connectionPragmas;
    private SqliteConnection? _writer;

    public SqliteDialect(string path, TimeSpan? busyTimeout = null, bool fsyncEveryCommit = false)
        : this(path, busyTimeout, shareProcessLock: true, fsyncEveryCommit)
    {
    }

    /// <summary>With <paramref name="shareProcessLock"/> false, this instance contends for the file like another process would.</summary>
    internal SqliteDialect(string path, TimeSpan? busyTimeout, bool shareProcessLock, bool fsyncEveryCommit = false)
    {
        // A larger page cache and memory-mapped reads halve search time over tens of thousands of runs.
        // busy_timeout hands waiting for another process's write lock to SQLite's own busy handler, which retries within
        // milliseconds; without it Microsoft.Data.Sqlite's retry loop sleeps 150 ms per attempt (p99 of mixed writes from
        // three processes: 150 ms → see bench/README.md).
        var timeout = (int)(busyTimeout ?? TimeSpan.FromSeconds(60)).TotalMilliseconds;
        _connectionPragmas = $"PRAGMA busy_timeout={timeout}; PRAGMA synchronous={(fsyncEveryCommit ? "FULL" : "NORMAL")}; PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536; PRAGMA mmap_size=268435456;";
        var fullPath = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        FilePath = fullPath;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            Pooling = true,
            DefaultTimeout = (int)(busyTimeout ?? TimeSpan.FromSeconds(60)).TotalSeconds,
        }.ToString();
        _writeLock = shareProcessLock ? WriteLocks.GetOrAdd(fullPath, _ => new SemaphoreSlim(1, 1)) : new SemaphoreSlim(1, 1);
        try
        {
            using var connection = new SqliteConnection(_connectionString);
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode=WAL;";
            command.ExecuteNonQuery();
        }
        catch (SqliteException e)
        {
            throw KilnException.InvalidState(
                $"Cannot use '{fullPath}' as a Kiln SQLite store: {e.Message.TrimEnd('.')}. Point --store at a new file or at an existing Kiln database.");
        }
    }

    /// <summary>The database file.</summary>
    public string FilePath { get; }

    public override string Name => "sqlite";

    public override string DisplayLocation => FilePath;

    public override SqlTypes Types { get; } = new("INTEGER PRIMARY KEY AUTOINCREMENT", "INTEGER", "REAL", "BLOB", " WITHOUT ROWID", WideIndexEntries: true, "sqlite");

    public override async Task<DbConnection> OpenAsync(CancellationToken ct)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(ct);
        using var command = connection.CreateCommand();
        command.CommandText = _connectionPragmas;
        command.ExecuteNonQuery();
        return connection;
    }

    public override async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct)
    {
        await _writeLock.WaitAsync(ct);
        try
        {
            // Writes are serialised by the lock above, so one long-lived connection serves them all.
            _writer ??= (SqliteConnection)await OpenAsync(ct);
            try
            {
                // Microsoft.Data.Sqlite begins IMMEDIATE: the write lock is taken up front, so the busy timeout applies.
                await using var transaction = (SqliteTransaction)await _writer.BeginTransactionAsync(ct);
                var result = await work(_writer, transaction);
                await transaction.CommitAsync(ct);
                return result;
            }
            catch (SqliteException)
            {
                await _writer.DisposeAsync();
                _writer = null;
                throw;
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _writeLock.WaitAsync();
        try
        {
            if (_writer is not null)
            {
                await _writer.DisposeAsync();
                _writer = null;
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public override string Like(string column, string parameter) => $"{column} GLOB {parameter}";

    /// <summary>SQLite's LIKE ignores case, so case-sensitive LIKE runs as GLOB: % → *, _ → ?, GLOB's own wildcards escaped.</summary>
    public override string LikePattern(string pattern)
    {
        var sb = new System.Text.StringBuilder(pattern.Length + 8);
        foreach (var c in pattern)
        {
            sb.Append(c switch
            {
                '%' => "*",
                '_' => "?",
                '*' => "[*]",
                '?' => "[?]",
                '[' => "[[]",
                _ => c.ToString(),
            });
        }
        return sb.ToString();
    }

    public override string ILike(string column, string parameter) => $"lower({column}) LIKE lower({parameter})";

    public override string InStringSet(string column, string parameter) => $"{column} IN (SELECT value FROM json_each({parameter}))";

    public override object StringSet(IReadOnlyList<string> values) => System.Text.Json.JsonSerializer.Serialize(values);

    public override bool IsUniqueViolation(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: 19, SqliteExtendedErrorCode: 2067 or 1555 };
}
