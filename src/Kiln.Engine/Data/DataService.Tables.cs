using Kiln.Core.Data;
using Kiln.Core.Errors;
using Kiln.Engine.Data.Validation;
using Kiln.Engine.Tables;
using Kiln.Tabular;
using Kiln.Tabular.Columns;
using Kiln.Tabular.Statistics;

namespace Kiln.Engine.Data;

public sealed partial class DataService
{
    /// <summary>
    /// The schema and per-column statistics of each table (CSV or Parquet) of a version: counts, missing, distinct estimate,
    /// min, max, mean, std, quantiles, histogram and a mergeable quantile sketch for numbers; category counts for categories.
    /// A profile derives from a file's content, so it is computed once (on add) and kept under <c>profiles/v2/</c>.
    /// </summary>
    public async Task<IReadOnlyList<(string Path, TableProfile Profile)>> ProfileAsync(DatasetVersion version, CancellationToken ct = default)
    {
        var result = new List<(string, TableProfile)>();
        foreach (var entry in (await FilesAsync(version, ct)).Where(f => TableFiles.IsTable(f.Path)))
        {
            result.Add((entry.Path, await ProfileEntryAsync(entry, ct)));
        }
        return result;
    }

    /// <summary>The profile of one stored table, computed and kept if it is not yet.</summary>
    internal async Task<TableProfile> ProfileEntryAsync(ManifestEntry entry, CancellationToken ct)
    {
        try
        {
            await using var stored = await artifacts.OpenReadAsync(ProfilePath(entry.Hash), ct);
            using var reader = new StreamReader(stored);
            return TableProfile.FromJson(await reader.ReadToEndAsync(ct));
        }
        catch (KilnException e) when (e.Code == ErrorCode.ResourceDoesNotExist)
        {
        }
        catch (System.Text.Json.JsonException)
        {
            // a damaged profile is derived data: computed again from the object, and replaced
        }
        var profile = TableProfile.Compute(await ReadTableAsync(entry, null, ct));
        await SaveProfileAsync(entry.Hash, profile, ct);
        return profile;
    }

    /// <summary>Reads a stored table (hash verified), optionally forcing column kinds.</summary>
    internal async Task<Table> ReadTableAsync(ManifestEntry entry, IReadOnlyDictionary<string, ColumnKind>? kinds, CancellationToken ct)
    {
        using var file = await VerifiedFileAsync(entry, ct);
        return Read(file.Path, entry.Path, kinds, ct);
    }

    /// <summary>Reads a table at <paramref name="path"/> whose format <paramref name="name"/> tells; a malformed one is an error naming it.</summary>
    private static Table Read(string path, string name, IReadOnlyDictionary<string, ColumnKind>? kinds, CancellationToken ct)
    {
        try
        {
            return TableFiles.Read(path, kinds, name, ct);
        }
        catch (Tabular.Csv.CsvFormatException e)
        {
            throw KilnException.Invalid($"'{name}' is not a readable table: {e.Message}");
        }
    }

    /// <summary>
    /// Profiles the tables among the files being added whose content has no profile yet, from the files themselves; an
    /// unreadable or empty table is an error naming it (raised before anything is stored).
    /// </summary>
    private async Task<List<(string Hash, TableProfile Profile)>> ProfileNewTablesAsync(List<(string Full, string Relative)> files, ManifestEntry[] entries,
        System.Collections.Concurrent.ConcurrentDictionary<string, Task<HashSet<string>>> listings, CancellationToken ct)
    {
        var profiles = new List<(string, TableProfile)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < files.Count; i++)
        {
            var (full, relative) = files[i];
            if (!TableFiles.IsTable(relative) || !seen.Add(entries[i].Hash) || await ExistsAsync(ProfilePath(entries[i].Hash), listings, ct))
            {
                continue;
            }
            if (entries[i].Size == 0)
            {
                throw KilnException.Invalid($"The table '{relative}' is empty (0 bytes): a CSV needs at least a header line, a Parquet file its footer; nothing was stored.");
            }
            var table = await Task.Run(() => Read(full, relative, null, ct), ct);
            profiles.Add((entries[i].Hash, TableProfile.Compute(table)));
        }
        return profiles;
    }

    private async Task SaveProfileAsync(string hash, TableProfile profile, CancellationToken ct)
    {
        await using var json = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(profile.ToJson(indented: false)));
        await artifacts.WriteAsync(ProfilePath(hash), json, ct);
    }

    /// <summary>Where a content's profile is kept: <c>profiles/v2/blake3/ab/cdef….json</c> (v2: profiles with sketches).</summary>
    internal static string ProfilePath(string hash) => "profiles/v2/" + ContentHash.ObjectPath(hash)["objects/".Length..] + ".json";

    /// <summary>
    /// The files added, removed and changed from <paramref name="from"/> to <paramref name="to"/>; a changed table also says
    /// how its rows, columns and each column's statistics changed, with the distance between the two distributions.
    /// </summary>
    public async Task<IReadOnlyList<FileChange>> DiffAsync(DatasetVersion from, DatasetVersion to, CancellationToken ct = default)
    {
        var before = (await FilesAsync(from, ct)).ToDictionary(f => f.Path, StringComparer.Ordinal);
        var after = (await FilesAsync(to, ct)).ToDictionary(f => f.Path, StringComparer.Ordinal);
        var changes = new List<FileChange>();
        foreach (var path in before.Keys.Union(after.Keys).Order(StringComparer.Ordinal))
        {
            var (old, @new) = (before.GetValueOrDefault(path), after.GetValueOrDefault(path));
            if (old is null)
            {
                changes.Add(new FileChange(path, "added", null, @new!.Size, null));
            }
            else if (@new is null)
            {
                changes.Add(new FileChange(path, "removed", old.Size, null, null));
            }
            else if (old.Hash != @new.Hash)
            {
                changes.Add(TableFiles.IsTable(path) ? await TableChangeAsync(path, old, @new, ct) : new FileChange(path, "changed", old.Size, @new.Size, null));
            }
        }
        return changes;
    }

    private async Task<FileChange> TableChangeAsync(string path, ManifestEntry old, ManifestEntry @new, CancellationToken ct)
    {
        TableProfile a, b;
        try
        {
            (a, b) = (await ProfileEntryAsync(old, ct), await ProfileEntryAsync(@new, ct));
        }
        catch (KilnException e) when (e.Code == ErrorCode.InvalidParameterValue)
        {
            return new FileChange(path, "changed", old.Size, @new.Size, "not comparable as a table: " + e.Message);
        }
        var notes = new List<string>();
        if (a.RowCount != b.RowCount)
        {
            notes.Add($"rows {a.RowCount:N0} → {b.RowCount:N0}");
        }
        var columns = new List<ColumnChange>();
        var (oldColumns, newColumns) = (a.Columns.ToDictionary(c => c.Name), b.Columns.ToDictionary(c => c.Name));
        foreach (var c in b.Columns.Where(c => !oldColumns.ContainsKey(c.Name)))
        {
            notes.Add($"column '{c.Name}' added");
            columns.Add(ColumnChange.Of(c.Name, "added", null, c));
        }
        foreach (var c in a.Columns.Where(c => !newColumns.ContainsKey(c.Name)))
        {
            notes.Add($"column '{c.Name}' removed");
            columns.Add(ColumnChange.Of(c.Name, "removed", c, null));
        }
        foreach (var c in a.Columns.Where(c => newColumns.ContainsKey(c.Name)))
        {
            var n = newColumns[c.Name];
            if (c.Kind != n.Kind)
            {
                notes.Add($"column '{c.Name}' {c.Kind} → {n.Kind}");
                columns.Add(ColumnChange.Of(c.Name, "kind_changed", c, n));
                continue;
            }
            var change = ColumnChange.Of(c.Name, "same", c, n);
            if (Validator.Compare(c, n) is { } distribution)
            {
                change = change with { Method = distribution.Method, Distance = distribution.Distance };
            }
            var same = change.Distance is null or 0 && c.MissingCount == n.MissingCount && c.DistinctEstimate == n.DistinctEstimate
                && c.Numeric?.Mean == n.Numeric?.Mean && c.Numeric?.StandardDeviation == n.Numeric?.StandardDeviation;
            columns.Add(same ? change : change with { Change = "changed" });
        }
        var changed = columns.Count(c => c.Change == "changed");
        if (changed > 0)
        {
            notes.Add($"{changed} column(s) with changed statistics");
        }
        return new FileChange(path, "changed", old.Size, @new.Size, notes.Count > 0 ? string.Join("; ", notes) : "same columns, rows and statistics (values moved)")
        {
            Columns = columns,
        };
    }
}
