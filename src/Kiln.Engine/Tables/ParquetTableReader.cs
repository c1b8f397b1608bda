using Kiln.Core.Errors;
using Kiln.Tabular;
using Kiln.Tabular.Columns;
using Kiln.Tabular.Csv;
using Parquet;
using Parquet.Schema;

namespace Kiln.Engine.Tables;

/// <summary>
/// Reads a Parquet file (Parquet.Net) into Kiln's <see cref="Table"/>: numbers of every width and decimals become numeric
/// columns (null is missing), strings and booleans categorical or text as the CSV reader would decide, dates and times
/// ISO 8601 text. Nested, list and map columns are refused with a message naming them.
/// </summary>
public static class ParquetTableReader
{
    /// <summary>Reads every row group of <paramref name="path"/>; <paramref name="kinds"/> forces a column's kind as <see cref="CsvReadOptions.ColumnTypes"/> does.</summary>
    public static Table Read(string path, IReadOnlyDictionary<string, ColumnKind>? kinds = null, CancellationToken ct = default) =>
        ReadAsync(path, kinds, ct).GetAwaiter().GetResult();

    private static async Task<Table> ReadAsync(string path, IReadOnlyDictionary<string, ColumnKind>? kinds, CancellationToken ct)
    {
        if (!File.Exists(path))
        {
            throw KilnException.FileNotFound(path, null);
        }
        ParquetReader reader;
        try
        {
            reader = await ParquetReader.CreateAsync(path, cancellationToken: ct);
        }
        catch (Exception e) when (e is not (OperationCanceledException or KilnException or OutOfMemoryException))
        {
            throw KilnException.Invalid($"'{path}' is not a readable Parquet file ({e.Message}). Check that the file is complete and was written as Parquet.");
        }
        await using (reader)
        {
            var nested = reader.Schema.Fields.Where(f => f.SchemaType != SchemaType.Data).Select(f => f.Name).ToList();
            if (nested.Count > 0)
            {
                throw KilnException.Invalid($"'{path}' has nested columns ({string.Join(", ", nested)}); Kiln reads flat tables: flatten them before adding or training.");
            }
            var fields = reader.Schema.GetDataFields();
            var rows = 0L;
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                using var group = reader.OpenRowGroupReader(g);
                rows += group.RowCount;
            }
            if (rows > int.MaxValue)
            {
                throw KilnException.Invalid($"'{path}' has {rows:N0} rows; a Kiln table holds at most {int.MaxValue:N0}.");
            }
            var columns = new Column[fields.Length];
            try
            {
                // columns are decoded in parallel, each worker with its own reader of the file
                var workers = Math.Max(1, Math.Min(Environment.ProcessorCount, fields.Length));
                await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
                {
                    await using var own = await ParquetReader.CreateAsync(path, cancellationToken: ct);
                    var ownFields = own.Schema.GetDataFields();
                    for (var f = w; f < fields.Length; f += workers)
                    {
                        var kind = kinds is not null && kinds.TryGetValue(fields[f].Name, out var forced) ? forced : (ColumnKind?)null;
                        columns[f] = await ReadColumnAsync(own, ownFields[f], (int)rows, kind, ct);
                    }
                }, ct)));
            }
            catch (Exception e) when (e is not (OperationCanceledException or KilnException or OutOfMemoryException))
            {
                throw KilnException.Invalid($"'{path}' is corrupt or not readable as Parquet ({e.Message}). Check that the file is complete.");
            }
            return new Table(columns);
        }
    }

    private static async Task<Column> ReadColumnAsync(ParquetReader reader, DataField field, int rows, ColumnKind? kind, CancellationToken ct)
    {
        var type = Nullable.GetUnderlyingType(field.ClrType) ?? field.ClrType;
        if (type == typeof(ReadOnlyMemory<char>))
        {
            type = typeof(string); // Parquet.Net 6 reports UTF-8 columns so; they read as strings
        }
        if (field.IsArray)
        {
            throw KilnException.Invalid($"Column '{field.Name}' is a list; Kiln reads flat tables: flatten it before adding or training.");
        }
        var isString = type == typeof(string) || type == typeof(bool) || type == typeof(DateTime) || type == typeof(DateTimeOffset)
            || type == typeof(DateOnly) || type == typeof(TimeOnly) || type == typeof(TimeSpan) || type == typeof(Guid);
        if (!isString && kind is ColumnKind.Categorical or ColumnKind.Text)
        {
            // numbers declared categorical or text: read as numbers, kept as their text
            var numbers = await ReadColumnAsync(reader, field, rows, null, ct);
            var text = Enumerable.Range(0, rows).Select(numbers.FormatValue).ToArray();
            return kind == ColumnKind.Text ? new TextColumn(field.Name, text) : CategoricalColumn.FromValues(field.Name, text);
        }
        if (isString)
        {
            var strings = await ReadStringsAsync(reader, field, type, rows, ct);
            return kind == ColumnKind.Text ? new TextColumn(field.Name, strings) : Strings(field.Name, strings, kind == ColumnKind.Categorical);
        }
        var values = new double[rows];
        var offset = 0;
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var count = (int)group.RowCount;
            var target = values.AsMemory(offset, count);
            switch (Type.GetTypeCode(type))
            {
                case TypeCode.Double when !field.IsNullable: await group.ReadAsync<double>(field, target, null, ct); break; // straight into the column
                case TypeCode.Double: await ReadNumbersAsync<double>(group, field, target, v => v, ct); break;
                case TypeCode.Single: await ReadNumbersAsync<float>(group, field, target, v => v, ct); break;
                case TypeCode.Int32: await ReadNumbersAsync<int>(group, field, target, v => v, ct); break;
                case TypeCode.Int64: await ReadNumbersAsync<long>(group, field, target, v => v, ct); break;
                case TypeCode.Int16: await ReadNumbersAsync<short>(group, field, target, v => v, ct); break;
                case TypeCode.SByte: await ReadNumbersAsync<sbyte>(group, field, target, v => v, ct); break;
                case TypeCode.Byte: await ReadNumbersAsync<byte>(group, field, target, v => v, ct); break;
                case TypeCode.UInt16: await ReadNumbersAsync<ushort>(group, field, target, v => v, ct); break;
                case TypeCode.UInt32: await ReadNumbersAsync<uint>(group, field, target, v => v, ct); break;
                case TypeCode.UInt64: await ReadNumbersAsync<ulong>(group, field, target, v => v, ct); break;
                case TypeCode.Decimal: await ReadNumbersAsync<decimal>(group, field, target, v => (double)v, ct); break;
                default:
                    throw KilnException.Invalid($"Column '{field.Name}' holds {type.Name} values, which Kiln does not read: convert it to a number or a string.");
            }
            offset += count;
        }
        return new Float64Column(field.Name, values);
    }

    /// <summary>Reads one row group's numbers into <paramref name="target"/> as doubles, NaN for null.</summary>
    private static Task ReadNumbersAsync<T>(ParquetRowGroupReader group, DataField field, Memory<double> target, Func<T, double> convert, CancellationToken ct)
        where T : struct => ReadConvertedAsync(group, field, target, convert, double.NaN, ct);

    /// <summary>
    /// Reads one row group's values of <typeparamref name="T"/> (nullable or not, as the field is) into
    /// <paramref name="target"/>, each converted, <paramref name="missing"/> for null.
    /// </summary>
    private static async Task ReadConvertedAsync<T, TOut>(ParquetRowGroupReader group, DataField field, Memory<TOut> target, Func<T, TOut> convert, TOut missing,
        CancellationToken ct)
        where T : struct
    {
        if (field.IsNullable)
        {
            var buffer = new T?[target.Length];
            await group.ReadAsync<T>(field, buffer.AsMemory(), null, ct);
            var span = target.Span;
            for (var i = 0; i < buffer.Length; i++)
            {
                span[i] = buffer[i] is { } v ? convert(v) : missing;
            }
        }
        else
        {
            var buffer = new T[target.Length];
            await group.ReadAsync<T>(field, buffer.AsMemory(), null, ct);
            var span = target.Span;
            for (var i = 0; i < buffer.Length; i++)
            {
                span[i] = convert(buffer[i]);
            }
        }
    }

    private static async Task<string?[]> ReadStringsAsync(ParquetReader reader, DataField field, Type type, int rows, CancellationToken ct)
    {
        var result = new string?[rows];
        var offset = 0;
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var count = (int)group.RowCount;
            var target = result.AsMemory(offset, count);
            if (type == typeof(string))
            {
                await group.ReadAsync(field, target, null, ct);
            }
            else
            {
                var invariant = System.Globalization.CultureInfo.InvariantCulture;
                switch (type)
                {
                    case var t when t == typeof(bool): await ReadFormattedAsync<bool>(group, field, target, v => v ? "true" : "false", ct); break;
                    case var t when t == typeof(DateTime): await ReadFormattedAsync<DateTime>(group, field, target, v => v.ToString("o", invariant), ct); break;
                    case var t when t == typeof(DateTimeOffset): await ReadFormattedAsync<DateTimeOffset>(group, field, target, v => v.ToString("o", invariant), ct); break;
                    case var t when t == typeof(DateOnly): await ReadFormattedAsync<DateOnly>(group, field, target, v => v.ToString("yyyy-MM-dd", invariant), ct); break;
                    case var t when t == typeof(TimeOnly): await ReadFormattedAsync<TimeOnly>(group, field, target, v => v.ToString("HH:mm:ss.FFFFFFF", invariant), ct); break;
                    case var t when t == typeof(TimeSpan): await ReadFormattedAsync<TimeSpan>(group, field, target, v => v.ToString("c", invariant), ct); break;
                    case var t when t == typeof(Guid): await ReadFormattedAsync<Guid>(group, field, target, v => v.ToString(), ct); break;
                    default:
                        throw KilnException.Invalid($"Column '{field.Name}' holds {type.Name} values, which Kiln does not read: convert it to a number or a string.");
                }
            }
            offset += count;
        }
        return result;
    }

    private static Task ReadFormattedAsync<T>(ParquetRowGroupReader group, DataField field, Memory<string?> target, Func<T, string> format, CancellationToken ct)
        where T : struct => ReadConvertedAsync<T, string?>(group, field, target, v => format(v), null, ct);

    /// <summary>Strings as the CSV reader types them: categorical when few distinct values (empty strings are missing), else text.</summary>
    private static Column Strings(string name, string?[] values, bool forceCategorical)
    {
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] is { Length: 0 })
            {
                values[i] = null;
            }
        }
        var options = CsvReadOptions.Default;
        var distinct = new HashSet<string>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            if (value is not null && distinct.Add(value) && !forceCategorical
                && (distinct.Count > options.MaxCategoricalCardinality || distinct.Count > options.MaxCategoricalFraction * values.Length))
            {
                return new TextColumn(name, values);
            }
        }
        return CategoricalColumn.FromValues(name, values);
    }
}
