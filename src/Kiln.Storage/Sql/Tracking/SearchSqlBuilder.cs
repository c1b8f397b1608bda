using System.Globalization;
using Kiln.Core.Errors;
using Kiln.Core.Search;

namespace Kiln.Storage.Sql.Tracking;

/// <summary>Translates parsed filter and order-by clauses into SQL over runs (alias r) or experiments (alias e).</summary>
internal sealed class SearchSqlBuilder(SqlDialect dialect)
{
    private readonly List<(string Name, object? Value)> _args = [];

    public IReadOnlyList<(string Name, object? Value)> Args => _args;

    public string Param(object? value)
    {
        var name = "p" + _args.Count.ToString(CultureInfo.InvariantCulture);
        _args.Add((name, value));
        return "@" + name;
    }

    /// <summary>A string comparison of <paramref name="column"/> with a clause's value(s).</summary>
    public string StringComparison(string column, FilterClause clause) => clause.Comparator switch
    {
        Comparator.Equal => $"{column} = {Param(clause.Text)}",
        Comparator.NotEqual => $"{column} <> {Param(clause.Text)}",
        Comparator.Like => dialect.Like(column, Param(dialect.LikePattern(clause.Text!))),
        Comparator.ILike => dialect.ILike(column, Param(clause.Text)),
        Comparator.In => $"{column} IN ({string.Join(", ", clause.List!.Select(v => Param(v)))})",
        Comparator.NotIn => $"{column} NOT IN ({string.Join(", ", clause.List!.Select(v => Param(v)))})",
        _ => throw KilnException.Invalid($"Comparator {clause.Comparator} is not valid for the string key '{clause.Key}'."),
    };

    /// <summary>A numeric comparison of <paramref name="column"/> with a clause's number.</summary>
    public string NumericComparison(string column, FilterClause clause)
    {
        var op = clause.Comparator switch
        {
            Comparator.Equal => "=",
            Comparator.NotEqual => "<>",
            Comparator.Less => "<",
            Comparator.LessOrEqual => "<=",
            Comparator.Greater => ">",
            Comparator.GreaterOrEqual => ">=",
            _ => throw KilnException.Invalid($"Comparator {clause.Comparator} is not valid for the numeric key '{clause.Key}'."),
        };
        return $"{column} {op} {Param(clause.Number)}";
    }

    /// <summary>SQL for one run filter clause.</summary>
    public string RunClause(FilterClause clause) => clause.Entity switch
    {
        SearchEntity.Metric => clause.Comparator == Comparator.NotEqual
            ? $"EXISTS (SELECT 1 FROM latest_metrics m WHERE m.run_uuid = r.run_uuid AND m.key = {Param(clause.Key)} AND (m.is_nan = 1 OR {NumericComparison("m.value", clause)}))"
            : $"EXISTS (SELECT 1 FROM latest_metrics m WHERE m.run_uuid = r.run_uuid AND m.key = {Param(clause.Key)} AND m.is_nan = 0 AND {NumericComparison("m.value", clause)})",
        SearchEntity.Param => $"EXISTS (SELECT 1 FROM params p WHERE p.run_uuid = r.run_uuid AND p.key = {Param(clause.Key)} AND {StringComparison("p.value", clause)})",
        SearchEntity.Tag => $"EXISTS (SELECT 1 FROM tags t WHERE t.run_uuid = r.run_uuid AND t.key = {Param(clause.Key)} AND {StringComparison("t.value", clause)})",
        SearchEntity.Dataset when clause.Key == "context" =>
            $"EXISTS (SELECT 1 FROM run_input_tags it WHERE it.run_uuid = r.run_uuid AND it.key = 'mlflow.data.context' AND {StringComparison("it.value", clause)})",
        SearchEntity.Dataset =>
            $"EXISTS (SELECT 1 FROM run_inputs i JOIN datasets d ON d.dataset_uuid = i.dataset_uuid WHERE i.run_uuid = r.run_uuid AND {StringComparison("d." + clause.Key, clause)})",
        _ => clause.Number is not null ? NumericComparison(RunColumn(clause.Key), clause) : StringComparison(RunColumn(clause.Key), clause),
    };

    /// <summary>SQL for one experiment filter clause.</summary>
    public string ExperimentClause(FilterClause clause) => clause.Entity switch
    {
        SearchEntity.Tag => $"EXISTS (SELECT 1 FROM experiment_tags t WHERE t.experiment_id = e.experiment_id AND t.key = {Param(clause.Key)} AND {StringComparison("t.value", clause)})",
        _ => clause.Number is not null ? NumericComparison("e." + clause.Key, clause) : StringComparison("e." + clause.Key, clause),
    };

    /// <summary>The runs column an attribute is stored in.</summary>
    public static string RunColumn(string attribute) => attribute switch
    {
        "run_id" => "r.run_uuid",
        "run_name" => "r.name",
        _ => "r." + attribute,
    };

    /// <summary>
    /// ORDER BY terms for runs, with the joins they need. Missing values sort last; NaN sorts as the largest number.
    /// MLflow's tie-breakers follow: start_time DESC (unless ordered by it already), then run id.
    /// </summary>
    public (string Joins, string OrderBy) RunOrder(IReadOnlyList<OrderByClause> orderBy)
    {
        var joins = new List<string>();
        var terms = new List<string>();
        var hasStartTime = false;
        foreach (var clause in orderBy)
        {
            var dir = clause.Ascending ? "ASC" : "DESC";
            var alias = "o" + joins.Count.ToString(CultureInfo.InvariantCulture);
            switch (clause.Entity)
            {
                case SearchEntity.Metric:
                    joins.Add($"LEFT JOIN latest_metrics {alias} ON {alias}.run_uuid = r.run_uuid AND {alias}.key = {Param(clause.Key)}");
                    terms.Add($"CASE WHEN {alias}.run_uuid IS NULL THEN 1 ELSE 0 END, {alias}.is_nan {dir}, {alias}.value {dir}");
                    break;
                case SearchEntity.Param or SearchEntity.Tag:
                    var table = clause.Entity == SearchEntity.Param ? "params" : "tags";
                    joins.Add($"LEFT JOIN {table} {alias} ON {alias}.run_uuid = r.run_uuid AND {alias}.key = {Param(clause.Key)}");
                    terms.Add($"CASE WHEN {alias}.run_uuid IS NULL THEN 1 ELSE 0 END, {alias}.value {dir}");
                    break;
                case SearchEntity.Attribute:
                    var column = RunColumn(clause.Key);
                    hasStartTime |= clause.Key == "start_time";
                    terms.Add($"CASE WHEN {column} IS NULL THEN 1 ELSE 0 END, {column} {dir}");
                    break;
                default:
                    throw KilnException.Invalid($"Cannot order runs by datasets.{clause.Key}: order by metrics, params, tags or attributes.");
            }
        }
        if (!hasStartTime)
        {
            terms.Add("r.start_time DESC");
        }
        terms.Add("r.run_uuid ASC");
        return (string.Join(" ", joins), string.Join(", ", terms));
    }

    /// <summary>ORDER BY terms for experiments; the default is creation_time DESC, then experiment id.</summary>
    public static string ExperimentOrder(IReadOnlyList<OrderByClause> orderBy)
    {
        var terms = orderBy.Select(c => $"e.{c.Key} {(c.Ascending ? "ASC" : "DESC")}").ToList();
        if (terms.Count == 0)
        {
            terms.Add("e.creation_time DESC");
        }
        terms.Add("e.experiment_id ASC");
        return string.Join(", ", terms);
    }
}
