namespace Kiln.Core.Audit;

/// <summary>One change to the registry, datasets or experiments, as the audit log keeps it.</summary>
/// <param name="Id">Increasing number.</param>
/// <param name="Time">Unix milliseconds.</param>
/// <param name="UserId">Who made the change (as the caller said; see <see cref="AuditContext"/>).</param>
/// <param name="Action">What was done, e.g. <c>model.alias.set</c>, <c>dataset.version.add</c>, <c>experiment.rename</c>.</param>
/// <param name="Resource">What it was done to, e.g. <c>models/loans</c>, <c>models/loans/versions/3</c>, <c>datasets/applicants</c>, <c>experiments/4</c>.</param>
/// <param name="Before">The state before, as JSON (null for a creation).</param>
/// <param name="After">The state after, as JSON (null for a deletion).</param>
/// <param name="PreviousHash">The hash of the entry before (64 zeros for the first).</param>
/// <param name="Hash">SHA-256 over the previous hash and every field of this entry.</param>
public sealed record AuditEntry(long Id, long Time, string UserId, string Action, string Resource, string? Before, string? After, string PreviousHash, string Hash);

/// <summary>What <c>kiln audit verify</c> found.</summary>
/// <param name="Entries">Entries checked.</param>
/// <param name="Head">The last entry's hash (record it elsewhere to detect a truncated tail later).</param>
/// <param name="Problems">Every entry whose hash or link does not match, with what is wrong; empty when the chain is whole.</param>
public sealed record AuditVerification(long Entries, string Head, IReadOnlyList<string> Problems)
{
    /// <summary>Whether the chain is whole.</summary>
    public bool Intact => Problems.Count == 0;
}

/// <summary>
/// Who is making changes in this flow of work, for the audit log: the server sets it per request (from the caller), the
/// CLI and SDK hosts leave it to default to the OS user. An <see cref="AsyncLocal{T}"/>, so it follows awaits.
/// </summary>
public static class AuditContext
{
    private static readonly AsyncLocal<string?> Current = new();

    /// <summary>The user changes are made for (the OS user when none was set).</summary>
    public static string User => Current.Value ?? Environment.UserName;

    /// <summary>Sets the user for the rest of this async flow.</summary>
    public static void SetUser(string? user) => Current.Value = user;
}

/// <summary>The append-only audit log. There is no call to edit or delete entries.</summary>
public interface IAuditStore
{
    /// <summary>Entries, oldest first, optionally only those whose resource starts with <paramref name="resource"/> and those at or after <paramref name="since"/>.</summary>
    Task<IReadOnlyList<AuditEntry>> ListAsync(string? resource, long? since, int limit, CancellationToken ct = default);

    /// <summary>Recomputes every hash and link of the chain.</summary>
    Task<AuditVerification> VerifyAsync(CancellationToken ct = default);
}
