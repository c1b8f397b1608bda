namespace Kiln.Core.Registry;

/// <summary>A stored gate spec: the YAML that guards one alias of a model, versioned by content.</summary>
/// <param name="Name">The registered model.</param>
/// <param name="GateId">The hash of the YAML (the same text saved twice is one version).</param>
/// <param name="Alias">The alias the gate guards (e.g. champion).</param>
/// <param name="Yaml">The spec as written.</param>
/// <param name="CreatedAt">Unix milliseconds.</param>
/// <param name="UserId">Who saved it.</param>
public sealed record GateSpecVersion(string Name, string GateId, string Alias, string Yaml, long CreatedAt, string UserId);

/// <summary>A gate's verdict on a version: every check with the candidate's and the current holder's values.</summary>
/// <param name="Id">Unique id.</param>
/// <param name="Name">The registered model.</param>
/// <param name="Version">The candidate version.</param>
/// <param name="Alias">The alias the gate guards.</param>
/// <param name="GateId">The spec version applied.</param>
/// <param name="Passed">Whether every check passed.</param>
/// <param name="HolderVersion">The version that held the alias when the gate ran (compared against), or null when none did.</param>
/// <param name="ResultJson">The checks, values and the evaluation runs, as JSON.</param>
/// <param name="CreatedAt">Unix milliseconds.</param>
/// <param name="UserId">Who ran the gate.</param>
public sealed record GateVerdict(string Id, string Name, int Version, string Alias, string GateId, bool Passed, int? HolderVersion, string ResultJson, long CreatedAt, string UserId);

/// <summary>A promotion waiting for (or given) approval.</summary>
/// <param name="Id">Unique id.</param>
/// <param name="Name">The registered model.</param>
/// <param name="Version">The version to promote.</param>
/// <param name="Alias">The alias to move.</param>
/// <param name="Status"><c>PENDING</c>, <c>APPROVED</c> (the alias moved) or <c>REJECTED</c>.</param>
/// <param name="ExpectedHolder">The version the alias held when the promotion was asked for (0: none); the move is refused if it changed.</param>
/// <param name="RequestedBy">Who asked.</param>
/// <param name="RequestedAt">Unix milliseconds.</param>
/// <param name="Reason">Why, or null.</param>
/// <param name="DecidedBy">Who approved or rejected, or null.</param>
/// <param name="DecidedAt">Unix milliseconds, or null.</param>
/// <param name="Forced">Whether the gate was bypassed (--force).</param>
public sealed record Promotion(string Id, string Name, int Version, string Alias, string Status, int ExpectedHolder, string RequestedBy, long RequestedAt, string? Reason,
    string? DecidedBy, long? DecidedAt, bool Forced);
