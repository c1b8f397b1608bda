namespace Kiln.Storage.Sql;

/// <summary>The column types and table options that differ between SQL dialects; migrations are written with these.</summary>
/// <param name="IdentityPrimaryKey">An auto-numbered 64-bit primary key column.</param>
/// <param name="BigInt">A 64-bit integer.</param>
/// <param name="Real">A 64-bit float.</param>
/// <param name="Blob">Binary data.</param>
/// <param name="WithoutRowId">The option that clusters a table on its primary key (SQLite), or "".</param>
/// <param name="WideIndexEntries">Whether an index entry may hold long text (SQLite); PostgreSQL's B-tree refuses entries
/// past about 2.7 kB, so its covering indexes keep to short columns.</param>
/// <param name="Dialect">The dialect's name ("sqlite" or "postgresql"), for the few statements written differently.</param>
public sealed record SqlTypes(string IdentityPrimaryKey, string BigInt, string Real, string Blob, string WithoutRowId, bool WideIndexEntries, string Dialect);
