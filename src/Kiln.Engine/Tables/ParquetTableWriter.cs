using Kiln.Tabular;
using Kiln.Tabular.Columns;
using Parquet;
using Parquet.Schema;

namespace Kiln.Engine.Tables;

/// <summary>Writes a <see cref="Table"/> as a Parquet file (Parquet.Net, one row group): numbers as nullable doubles, categories and text as strings.</summary>
public static class ParquetTableWriter
{
    /// <summary>Writes <paramref name="table"/> to <paramref name="path"/> (replacing it).</summary>
    public static async Task WriteAsync(Table table, string path, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(table);
        // numbers without missing values as required doubles (no definition levels to write or read), else nullable
        var fields = table.Columns.Select(c => c is NumericColumn ? c.CountMissing() == 0 ? new DataField<double>(c.Name) : (DataField)new DataField<double?>(c.Name)
            : new DataField<string>(c.Name)).ToArray();
        await using var stream = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), stream, cancellationToken: ct);
        using var group = writer.CreateRowGroup();
        for (var c = 0; c < table.ColumnCount; c++)
        {
            var column = table[c];
            if (column is NumericColumn required && !fields[c].IsNullable)
            {
                var values = new double[required.Length];
                required.CopyTo(values);
                await group.WriteAsync<double>(fields[c], values.AsMemory(), null, null, ct);
            }
            else if (column is NumericColumn numeric)
            {
                var values = new double?[numeric.Length];
                for (var i = 0; i < values.Length; i++)
                {
                    var value = numeric.GetValue(i);
                    values[i] = double.IsNaN(value) ? null : value;
                }
                await group.WriteAsync<double>(fields[c], values.AsMemory(), null, null, ct);
            }
            else
            {
                var values = new string?[column.Length];
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = column.FormatValue(i);
                }
                await group.WriteAsync(fields[c], values, null);
            }
        }
    }
}
