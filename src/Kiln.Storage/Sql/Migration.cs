namespace Kiln.Storage.Sql;

/// <summary>One versioned schema change, written once for every dialect: <paramref name="Sql"/> gets the dialect's type names.</summary>
/// <param name="Version">1, 2, …; never reused or renumbered.</param>
/// <param name="Name">What the change is, as recorded in <c>schema_migrations</c>.</param>
/// <param name="Sql">The statements, given the dialect's <see cref="SqlTypes"/>.</param>
public sealed record Migration(int Version, string Name, Func<SqlTypes, string> Sql);
