namespace Kiln.Core.Monitoring;

/// <summary>One stored version of an alert rule (its YAML as applied).</summary>
/// <param name="Name">The rule's name.</param>
/// <param name="Version">1, 2, … per name: every apply that changes a rule stores a new version.</param>
/// <param name="Yaml">The rule as YAML.</param>
/// <param name="CreatedAt">Unix milliseconds.</param>
/// <param name="UserId">Who applied it.</param>
/// <param name="Deleted">Whether this version removed the rule.</param>
public sealed record AlertRuleVersion(string Name, int Version, string Yaml, long CreatedAt, string UserId, bool Deleted = false);

/// <summary>An alert: a rule's condition held for a deployment.</summary>
/// <param name="Id">Increasing number.</param>
/// <param name="Rule">The rule's name.</param>
/// <param name="RuleVersion">The rule's version that fired it.</param>
/// <param name="Deployment">The deployment.</param>
/// <param name="Severity">The rule's severity (info, warning, critical).</param>
/// <param name="State">firing, acknowledged or resolved (<see cref="AlertStates"/>).</param>
/// <param name="Value">The condition's value in the window that fired it.</param>
/// <param name="Message">What held, in words.</param>
/// <param name="FiredAt">Unix milliseconds.</param>
/// <param name="ResolvedAt">When the condition stopped holding, or null.</param>
/// <param name="AcknowledgedAt">When someone acknowledged it, or null.</param>
/// <param name="AcknowledgedBy">Who, or null.</param>
public sealed record Alert(long Id, string Rule, int RuleVersion, string Deployment, string Severity, string State, double Value, string Message, long FiredAt,
    long? ResolvedAt, long? AcknowledgedAt, string? AcknowledgedBy);

/// <summary>The states an alert goes through: firing → (acknowledged →) resolved.</summary>
public static class AlertStates
{
    /// <summary>The condition holds and no one has acknowledged it.</summary>
    public const string Firing = "firing";

    /// <summary>The condition holds and someone took it on.</summary>
    public const string Acknowledged = "acknowledged";

    /// <summary>The condition stopped holding.</summary>
    public const string Resolved = "resolved";
}

/// <summary>One monitored window's verdict for a rule and deployment (kept so N-of-M counts each window once, across restarts).</summary>
/// <param name="WindowEnd">The window's end, aligned to the monitoring interval (Unix milliseconds).</param>
/// <param name="Breached">Whether the condition held.</param>
/// <param name="Value">The condition's value, or null when it could not be computed (e.g. no labels yet).</param>
public sealed record AlertWindow(long WindowEnd, bool Breached, double? Value);

/// <summary>Alert rules (versioned), the windows they were evaluated on, and the alerts they raised. A change of an alert's
/// state queues its webhook event in the same transaction.</summary>
public interface IAlertStore
{
    /// <summary>Stores a new version of each rule whose YAML differs from its latest (and a deleting version for each name in
    /// <paramref name="deleted"/>); returns the versions stored.</summary>
    Task<IReadOnlyList<AlertRuleVersion>> SaveRulesAsync(IReadOnlyList<(string Name, string Yaml)> rules, IReadOnlyList<string> deleted, string userId, long time,
        CancellationToken ct = default);

    /// <summary>The latest version of every rule that is not deleted, by name.</summary>
    Task<IReadOnlyList<AlertRuleVersion>> ListRulesAsync(CancellationToken ct = default);

    /// <summary>Every version of one rule, newest first.</summary>
    Task<IReadOnlyList<AlertRuleVersion>> RuleHistoryAsync(string name, CancellationToken ct = default);

    /// <summary>Records a window's verdict; false when that window was already recorded (nothing changes).</summary>
    Task<bool> RecordWindowAsync(string rule, string deployment, AlertWindow window, CancellationToken ct = default);

    /// <summary>The last <paramref name="count"/> windows of a rule and deployment, newest first.</summary>
    Task<IReadOnlyList<AlertWindow>> RecentWindowsAsync(string rule, string deployment, int count, CancellationToken ct = default);

    /// <summary>The newest alert of a rule and deployment, or null.</summary>
    Task<Alert?> LatestAsync(string rule, string deployment, CancellationToken ct = default);

    /// <summary>Stores a firing alert and, unless <paramref name="eventName"/> is null, queues it with <paramref name="payload"/>
    /// (its id filled in for <c>{id}</c>) for the webhooks; returns the alert with its id.</summary>
    Task<Alert> FireAsync(Alert alert, string? eventName, string payload, CancellationToken ct = default);

    /// <summary>Resolves an open alert and queues its event (unless null); RESOURCE_DOES_NOT_EXIST for an unknown id.</summary>
    Task ResolveAsync(long id, long time, string? eventName, string payload, CancellationToken ct = default);

    /// <summary>Acknowledges a firing alert; RESOURCE_DOES_NOT_EXIST for an unknown id, INVALID_PARAMETER_VALUE for a resolved one.</summary>
    Task<Alert> AcknowledgeAsync(long id, string userId, long time, CancellationToken ct = default);

    /// <summary>Alerts, newest first, optionally of one state and one deployment.</summary>
    Task<IReadOnlyList<Alert>> ListAsync(string? state, string? deployment, int limit, CancellationToken ct = default);
}
