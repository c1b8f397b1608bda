using System.Text.Json;
using Kiln.Tabular.Columns;

namespace Kiln.Tabular.Statistics;

/// <summary>The statistics of every column of a table: a model's training-data profile, stored as JSON and later
/// compared against serving data to detect drift.</summary>
public sealed partial record TableProfile
{
    /// <summary>The number of rows.</summary>
    public required int RowCount { get; init; }

    /// <summary>One profile per column, in table order.</summary>
    public required IReadOnlyList<ColumnProfile> Columns { get; init; }

    /// <summary>Profiles every column of <paramref name="table"/> (columns in parallel).</summary>
    public static TableProfile Compute(Table table, ProfileOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        options ??= ProfileOptions.Default;
        options.Validate();
        var columns = new ColumnProfile[table.ColumnCount];
        Parallel.For(0, columns.Length, c => columns[c] = ColumnProfile.Compute(table[c], options));
        return new TableProfile { RowCount = table.RowCount, Columns = columns };
    }

    /// <summary>The profile of the column named <paramref name="name"/>.</summary>
    /// <exception cref="ColumnNotFoundException">The profile has no such column; the message lists the ones it has.</exception>
    public ColumnProfile GetColumn(string name)
    {
        foreach (var column in Columns)
        {
            if (column.Name == name)
            {
                return column;
            }
        }
        var names = new string[Columns.Count];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = Columns[i].Name;
        }
        throw new ColumnNotFoundException(name, names);
    }

    /// <summary>The profile as JSON (camelCase names, kinds as strings, infinities and NaN as named literals).</summary>
    public string ToJson(bool indented = true) =>
        JsonSerializer.Serialize(this, indented ? ProfileJsonContext.Indented.TableProfile : ProfileJsonContext.Default.TableProfile);

    /// <summary>Reads a profile written by <see cref="ToJson"/>.</summary>
    /// <exception cref="JsonException">The text is not a profile.</exception>
    public static TableProfile FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return JsonSerializer.Deserialize(json, ProfileJsonContext.Default.TableProfile)
            ?? throw new JsonException("The JSON is null, not a table profile.");
    }
}
