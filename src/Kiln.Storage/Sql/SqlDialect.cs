using System.Data.Common;

namespace Kiln.Storage.Sql;

/// <summary>What differs between the SQL databases Kiln stores metadata in; everything else is shared SQL.</summary>
public abstract class SqlDialect
{
    /// <summary>A short name for messages ("sqlite", "postgresql").</summary>
    public abstract string Name { get; }

    /// <summary>Where the database is, with any password removed.</summary>
    public abstract string DisplayLocation { get; }

    /// <summary>The type names migrations are written with.</summary>
    public abstract SqlTypes Types { get; }

    /// <summary>Opens a connection ready for use.</summary>
    public abstract Task<DbConnection> OpenAsync(CancellationToken ct);

    /// <summary>Runs <paramref name="work"/> in one write transaction, committing on success.</summary>
    public abstract Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct);

    /// <summary>Case-sensitive LIKE of <paramref name="column"/> against a parameter holding an SQL LIKE pattern.</summary>
    public abstract string Like(string column, string parameter);

    /// <summary>Converts an SQL LIKE pattern for use with <see cref="Like"/>.</summary>
    public virtual string LikePattern(string pattern) => pattern;

    /// <summary>Case-insensitive LIKE.</summary>
    public abstract string ILike(string column, string parameter);

    /// <summary>SQL testing <paramref name="column"/> against a set of strings passed as one parameter (see <see cref="StringSet"/>).</summary>
    public abstract string InStringSet(string column, string parameter);

    /// <summary>The parameter value for <see cref="InStringSet"/>.</summary>
    public abstract object StringSet(IReadOnlyList<string> values);

    /// <summary>True when the exception is a unique-constraint violation.</summary>
    public abstract bool IsUniqueViolation(Exception exception);

    /// <summary>SQL run first inside the migration transaction so that concurrent starters apply migrations once.</summary>
    public virtual string? MigrationLockSql => null;

    /// <summary>What a queue's SELECT ends with so that concurrent claimers pass over rows another holds (PostgreSQL's
    /// <c>FOR UPDATE SKIP LOCKED</c>); empty where writers are serialised anyway (SQLite).</summary>
    public virtual string SkipLocked => "";

    /// <summary>The SQL that inserts a row and returns a generated key column.</summary>
    public virtual string Returning(string column) => $" RETURNING {column}";
}
