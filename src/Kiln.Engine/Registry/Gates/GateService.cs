using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Kiln.Core.Errors;
using Kiln.Core.Ids;
using Kiln.Core.Registry;
using Kiln.Engine.Data;
using Kiln.Engine.Evaluation;

namespace Kiln.Engine.Registry.Gates;

/// <summary>One check's outcome: the candidate's value, the holder's (for relative checks), the bound it had to meet.</summary>
public sealed record CheckOutcome(string Check, double? Candidate, double? Holder, double? Bound, bool Passed, string? Note);

/// <summary>A gate run: the verdict stored on the version, each check, and the evaluation runs behind it.</summary>
public sealed record GateOutcome(GateVerdict Verdict, IReadOnlyList<CheckOutcome> Checks, string CandidateRun, string? HolderRun);

/// <summary>
/// Promotion gates: a stored spec per model (versioned by content), <see cref="GateAsync"/> evaluates the candidate and the
/// alias's current holder side by side on the same data and records the verdict; <see cref="PromoteAsync"/> moves the
/// alias only for a passing, current verdict (or <c>--force</c> with a recorded reason), through approval when the spec
/// asks for it; <see cref="RollbackAsync"/> moves it back. Every move is a compare-and-set, so two racing promotions
/// cannot both win.
/// </summary>
public sealed class GateService(IRegistryStore store, RegistryService registry, EvaluationService evaluation, TimeProvider time, IdGenerator ids)
{
    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Checks and saves a gate spec for a model.</summary>
    public async Task<GateSpecVersion> SaveSpecAsync(string name, string yaml, string userId, CancellationToken ct = default)
    {
        var spec = GateSpec.Parse(yaml, $"for '{name}'");
        var id = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(yaml)))[..16];
        return await store.SaveGateAsync(new GateSpecVersion(RegistryValidation.ModelName(name), id, spec.Alias, yaml, Now(), userId), ct);
    }

    /// <summary>The newest spec guarding <paramref name="alias"/> (or the newest of all when null); null when the model has none.</summary>
    public async Task<GateSpecVersion?> CurrentSpecAsync(string name, string? alias, CancellationToken ct = default) =>
        (await store.ListGatesAsync(RegistryValidation.ModelName(name), ct)).FirstOrDefault(g => alias is null || g.Alias == alias);

    /// <summary>Runs the gate on a version: evaluates it and the current holder on the same data, checks, records the verdict.</summary>
    public async Task<GateOutcome> GateAsync(string name, int version, string dataPath, DataSource? data, string? alias, string userId,
        IProgress<string>? stage = null, CancellationToken ct = default)
    {
        var stored = await CurrentSpecAsync(name, alias, ct)
            ?? throw KilnException.NotFound($"Model '{name}' has no gate{(alias is null ? "" : $" for alias '{alias}'")}: save one with kiln models gate-spec {name} FILE.yaml.");
        var spec = GateSpec.Parse(stored.Yaml, $"{stored.GateId} of '{name}'");
        await registry.GetVersionAsync(name, version.ToString(CultureInfo.InvariantCulture), ct);
        var holder = await HolderAsync(name, spec.Alias, ct);
        stage?.Report($"Evaluating candidate {name} v{version}");
        var candidate = await evaluation.EvaluateAsync(new EvaluationRequest($"models:/{name}/{version}", dataPath, data, spec.Slices), stage, ct);
        EvaluationResult? current = null;
        if (holder is { } h)
        {
            stage?.Report($"Evaluating {spec.Alias} {name} v{h} on the same data");
            current = h == version ? candidate : await evaluation.EvaluateAsync(new EvaluationRequest($"models:/{name}/{h}", dataPath, data, spec.Slices), stage, ct);
        }
        var checks = spec.Parsed.Select(c => Check(c, candidate, current, spec.Alias)).ToList();
        var passed = checks.All(c => c.Passed);
        var result = JsonSerializer.Serialize(new
        {
            alias = spec.Alias, gate_id = stored.GateId, holder_version = holder, candidate_run = candidate.RunId, holder_run = current?.RunId,
            data = data?.Uri ?? Path.GetFullPath(dataPath), requires_approval = spec.RequiresApproval,
            checks = checks.Select(c => new { check = c.Check, candidate = c.Candidate, holder = c.Holder, bound = c.Bound, passed = c.Passed, note = c.Note }),
        });
        var verdict = new GateVerdict(ids.NewId(), name, version, spec.Alias, stored.GateId, passed, holder, result, Now(), userId);
        await store.AddVerdictAsync(verdict, ct);
        return new GateOutcome(verdict, checks, candidate.RunId, current?.RunId);
    }

    /// <summary>
    /// Moves <paramref name="alias"/> to a version. Without <paramref name="force"/> the version needs a passing verdict
    /// for the alias against the version that holds it now; with it, a reason (recorded). When the spec requires
    /// approval the promotion waits (PENDING) instead. Returns the move, or the pending promotion.
    /// </summary>
    public async Task<(AliasEvent? Moved, Promotion? Pending)> PromoteAsync(string name, int version, string alias, string userId, bool force, string? reason,
        CancellationToken ct = default)
    {
        RegistryValidation.Alias(alias);
        await registry.GetVersionAsync(name, version.ToString(CultureInfo.InvariantCulture), ct);
        var holder = await HolderAsync(name, alias, ct);
        if (holder == version)
        {
            throw KilnException.Invalid($"Version {version} already holds '{alias}' of '{name}': nothing to promote.");
        }
        if (force)
        {
            if (string.IsNullOrWhiteSpace(reason))
            {
                throw KilnException.Invalid("--force bypasses the gate, so it needs --reason \"…\": the reason is kept in the alias history and the audit log.");
            }
        }
        else
        {
            var verdict = (await store.ListVerdictsAsync(name, version, ct)).FirstOrDefault(v => v.Alias == alias)
                ?? throw KilnException.Invalid($"Version {version} of '{name}' has no gate verdict for '{alias}': run kiln models gate {name} {version} --data … first (or --force --reason \"…\").");
            if (!verdict.Passed)
            {
                throw KilnException.Invalid($"Version {version} of '{name}' failed its gate for '{alias}' (verdict {verdict.Id}): see kiln models verdicts {name} {version}. Promote it only with --force --reason \"…\".");
            }
            if (verdict.HolderVersion != holder)
            {
                throw KilnException.Invalid(
                    $"The gate verdict for version {version} compared it with {Describe(verdict.HolderVersion)}, but '{alias}' is now held by {Describe(holder)}: run the gate again.");
            }
        }
        var spec = await CurrentSpecAsync(name, alias, ct);
        var text = force ? "forced: " + reason : reason;
        if (spec is not null && GateSpec.Parse(spec.Yaml, spec.GateId).RequiresApproval)
        {
            var pending = new Promotion(ids.NewId(), name, version, alias, "PENDING", holder ?? 0, userId, Now(), text, null, null, force);
            await store.AddPromotionAsync(pending, ct);
            return (null, pending);
        }
        var moved = await store.SetAliasAsync(name, alias, version, new AliasChange(userId, force ? "force-promote" : "promote", text, holder ?? 0), Now(), ct);
        return (moved, null);
    }

    /// <summary>Approves (or rejects) the pending promotion to <paramref name="alias"/>; the approver must not be the requester.</summary>
    public async Task<Promotion> DecideAsync(string name, string alias, bool approve, string userId, CancellationToken ct = default)
    {
        var pending = (await store.ListPromotionsAsync(RegistryValidation.ModelName(name), ct)).FirstOrDefault(p => p.Alias == alias && p.Status == "PENDING")
            ?? throw KilnException.NotFound($"No promotion to '{alias}' of '{name}' is waiting for approval.");
        if (approve && pending.RequestedBy == userId)
        {
            throw KilnException.Invalid($"{userId} asked for this promotion, so someone else must approve it (four eyes).");
        }
        return await store.DecidePromotionAsync(pending.Id, approve, userId, Now(), ct);
    }

    /// <summary>Moves an alias back to the version it held before its current holder, in one step.</summary>
    public async Task<AliasEvent> RollbackAsync(string name, string alias, string userId, string? reason, CancellationToken ct = default)
    {
        RegistryValidation.Alias(alias);
        var holder = await HolderAsync(name, alias, ct) ?? throw KilnException.Invalid($"'{alias}' of '{name}' points at no version: nothing to roll back.");
        var history = await registry.HistoryAsync(name, alias, ct);
        var previous = history.LastOrDefault(e => e.Version == holder)?.PreviousVersion
            ?? throw KilnException.Invalid($"'{alias}' of '{name}' held no version before version {holder}: nothing to roll back to.");
        return await store.SetAliasAsync(name, alias, previous, new AliasChange(userId, "rollback", reason ?? $"rolled back from version {holder}", holder), Now(), ct);
    }

    private async Task<int?> HolderAsync(string name, string alias, CancellationToken ct)
    {
        var model = await registry.GetModelAsync(name, ct);
        return model.Aliases.TryGetValue(alias, out var version) ? version : null;
    }

    private static string Describe(int? version) => version is { } v ? $"version {v}" : "no version";

    private static CheckOutcome Check(GateCheck check, EvaluationResult candidate, EvaluationResult? holder, string alias)
    {
        double? Value(EvaluationResult result) => check.SliceGap
            ? result.SliceGaps.TryGetValue(check.Metric, out var gap) ? gap : null
            : result.Metrics.TryGetValue(check.Metric, out var value) ? value : null;
        var mine = Value(candidate);
        if (mine is null)
        {
            return new CheckOutcome(check.Text, null, null, null, false,
                $"the evaluation has no {(check.SliceGap ? "slice gap of " : "")}{check.Metric} (metrics for a {candidate.Task} model: {string.Join(", ", candidate.Metrics.Keys.Order(StringComparer.Ordinal))})");
        }
        if (!check.Relative)
        {
            return new CheckOutcome(check.Text, mine, null, check.Value, check.Holds(mine.Value, check.Value), null);
        }
        if (holder is null)
        {
            return new CheckOutcome(check.Text, mine, null, null, true, $"no version holds '{alias}' yet: nothing to compare with");
        }
        var theirs = Value(holder);
        if (theirs is null)
        {
            return new CheckOutcome(check.Text, mine, null, null, false, $"the current {alias}'s evaluation has no {check.Metric}");
        }
        var bound = theirs.Value + check.Value;
        return new CheckOutcome(check.Text, mine, theirs, bound, check.Holds(mine.Value, bound), null);
    }
}
