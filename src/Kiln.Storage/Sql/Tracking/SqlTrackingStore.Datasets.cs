using Kiln.Core.Errors;
using Kiln.Core.Tracking;

namespace Kiln.Storage.Sql.Tracking;

public sealed partial class SqlTrackingStore
{
    public async Task<IReadOnlyList<DatasetSummary>> SearchDatasetsAsync(IReadOnlyList<string> experimentIds, int maxResults, CancellationToken ct = default)
    {
        var ids = new List<long>(experimentIds.Count);
        foreach (var id in experimentIds)
        {
            ids.Add(TryParseExperimentId(id, out var parsed) ? parsed : throw KilnException.Invalid($"Invalid experiment id '{id}': experiment ids are integers."));
        }
        if (ids.Count == 0)
        {
            return [];
        }
        await using var connection = await _dialect.OpenAsync(ct);
        // The context tag is a left join: an input without one is still listed, with no context.
        await using var command = connection.Command(null, $"""
            SELECT DISTINCT d.experiment_id, d.name, d.digest, t.value
            FROM datasets d
            JOIN run_inputs i ON i.dataset_uuid = d.dataset_uuid
            LEFT JOIN run_input_tags t ON t.run_uuid = i.run_uuid AND t.dataset_uuid = i.dataset_uuid AND t.key = 'mlflow.data.context'
            WHERE d.experiment_id IN ({string.Join(", ", ids.Select((_, n) => "@e" + n))})
            ORDER BY d.experiment_id, d.name, d.digest, t.value
            LIMIT {maxResults}
            """);
        for (var n = 0; n < ids.Count; n++)
        {
            command.Add("e" + n, ids[n]);
        }
        var summaries = new List<DatasetSummary>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            summaries.Add(new DatasetSummary(reader.GetInt64(0).ToString(System.Globalization.CultureInfo.InvariantCulture), reader.GetString(1), reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3)));
        }
        return summaries;
    }
}
