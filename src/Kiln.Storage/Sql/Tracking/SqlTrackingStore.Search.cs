using Kiln.Core.Errors;
using Kiln.Core.Search;
using Kiln.Core.Tracking;

namespace Kiln.Storage.Sql.Tracking;

public sealed partial class SqlTrackingStore
{
    public async Task<Page<Run>> SearchRunsAsync(RunQuery query, CancellationToken ct = default)
    {
        var sql = new SearchSqlBuilder(_dialect);
        var experimentIds = new List<string>();
        foreach (var id in query.ExperimentIds)
        {
            experimentIds.Add(TryParseExperimentId(id, out var parsed)
                ? sql.Param(parsed)
                : throw KilnException.Invalid($"Invalid experiment id '{id}': experiment ids are integers."));
        }
        if (experimentIds.Count == 0)
        {
            return new Page<Run>([], null);
        }
        var where = new List<string>
        {
            $"r.experiment_id IN ({string.Join(", ", experimentIds)})",
            $"r.lifecycle_stage IN ({string.Join(", ", query.ViewType.Stages().Select(s => sql.Param(s.WireName())))})",
        };
        where.AddRange(query.Filter.Select(sql.RunClause));
        var (joins, orderBy) = sql.RunOrder(query.OrderBy);
        var limit = sql.Param(query.MaxResults + 1);
        var offset = sql.Param(query.Offset);
        var text = $"SELECT {RunColumns} FROM runs r {joins} WHERE {string.Join(" AND ", where)} ORDER BY {orderBy} LIMIT {limit} OFFSET {offset}";

        await using var connection = await _dialect.OpenAsync(ct);
        var infos = await ReadRunInfosAsync(connection, text, sql.Args, ct);
        var more = infos.Count > query.MaxResults;
        if (more)
        {
            infos.RemoveAt(infos.Count - 1);
        }
        var runs = await LoadRunsAsync(connection, infos, ct);
        return new Page<Run>(runs, more ? PageToken.Create(query.Offset + query.MaxResults) : null);
    }

    public async Task<Page<Experiment>> SearchExperimentsAsync(ExperimentQuery query, CancellationToken ct = default)
    {
        var sql = new SearchSqlBuilder(_dialect);
        var where = new List<string>
        {
            $"e.lifecycle_stage IN ({string.Join(", ", query.ViewType.Stages().Select(s => sql.Param(s.WireName())))})",
        };
        where.AddRange(query.Filter.Select(sql.ExperimentClause));
        var limit = sql.Param(query.MaxResults + 1);
        var offset = sql.Param(query.Offset);
        var found = await QueryExperimentsAsync(
            $"WHERE {string.Join(" AND ", where)} ORDER BY {SearchSqlBuilder.ExperimentOrder(query.OrderBy)} LIMIT {limit} OFFSET {offset}", sql.Args, ct);
        var more = found.Count > query.MaxResults;
        if (more)
        {
            found.RemoveAt(found.Count - 1);
        }
        return new Page<Experiment>(found, more ? PageToken.Create(query.Offset + query.MaxResults) : null);
    }
}
