using Kiln.Core.Registry;
using Kiln.Core.Search;
using Kiln.Core.Tracking;
using Kiln.Storage.Sql.Tracking;

namespace Kiln.Storage.Sql.Registry;

public sealed partial class SqlRegistryStore
{
    public async Task<Page<RegisteredModel>> SearchModelsAsync(RegistryQuery query, CancellationToken ct = default)
    {
        var sql = new SearchSqlBuilder(dialect);
        var where = query.Filter.Select(c => c.Entity == SearchEntity.Tag
            ? $"EXISTS (SELECT 1 FROM registered_model_tags t WHERE t.name = m.name AND t.tag_key = {sql.Param(c.Key)} AND {sql.StringComparison("t.tag_value", c)})"
            : c.Number is not null ? sql.NumericComparison(ModelColumn(c.Key), c) : sql.StringComparison(ModelColumn(c.Key), c)).ToList();
        var order = string.Join(", ", query.OrderBy.Select(o => $"{ModelColumn(o.Key)} {(o.Ascending ? "ASC" : "DESC")}").Append("m.name ASC"));
        var tail = $"{(where.Count == 0 ? "" : "WHERE " + string.Join(" AND ", where))} ORDER BY {order} LIMIT {query.MaxResults + 1} OFFSET {query.Offset}";
        await using var connection = await dialect.OpenAsync(ct);
        return ToPage(await ReadModelsAsync(connection, tail, sql.Args, ct), query);
    }

    public async Task<Page<ModelVersion>> SearchVersionsAsync(RegistryQuery query, CancellationToken ct = default)
    {
        var sql = new SearchSqlBuilder(dialect);
        var where = query.Filter.Select(c => c.Entity == SearchEntity.Tag
            ? $"EXISTS (SELECT 1 FROM model_version_tags t WHERE t.name = v.name AND t.version = v.version AND t.tag_key = {sql.Param(c.Key)} AND {sql.StringComparison("t.tag_value", c)})"
            : c.Number is not null ? sql.NumericComparison(VersionColumn(c.Key), c) : sql.StringComparison(VersionColumn(c.Key), c)).ToList();
        // MLflow's default: most recently updated first; then name, then the newest version
        var order = string.Join(", ", (query.OrderBy.Count == 0 ? ["v.last_updated_time DESC"] : query.OrderBy.Select(o => $"{VersionColumn(o.Key)} {(o.Ascending ? "ASC" : "DESC")}"))
            .Concat(["v.name ASC", "v.version DESC"]));
        var tail = $"{(where.Count == 0 ? "" : "WHERE " + string.Join(" AND ", where))} ORDER BY {order} LIMIT {query.MaxResults + 1} OFFSET {query.Offset}";
        await using var connection = await dialect.OpenAsync(ct);
        return ToPage(await ReadVersionsAsync(connection, tail, sql.Args, ct), query);
    }

    private static string ModelColumn(string attribute) => attribute switch
    {
        "creation_timestamp" => "m.creation_time",
        "last_updated_timestamp" or "timestamp" => "m.last_updated_time",
        _ => "m.name",
    };

    private static string VersionColumn(string attribute) => attribute switch
    {
        "version_number" => "v.version",
        "creation_timestamp" => "v.creation_time",
        "last_updated_timestamp" or "timestamp" => "v.last_updated_time",
        "source_path" => "v.source",
        "run_id" or "current_stage" or "user_id" => "v." + attribute,
        _ => "v.name",
    };
}
