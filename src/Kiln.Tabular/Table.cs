using System.Diagnostics.CodeAnalysis;
using Kiln.Tabular.Columns;

namespace Kiln.Tabular;

/// <summary>An immutable columnar table: named columns of equal length. Row and column selections return new tables
/// (column storage is shared when a column is kept whole).</summary>
public sealed partial class Table
{
    private readonly Column[] _columns;
    private readonly string[] _names;
    private readonly Dictionary<string, int> _indexByName;

    /// <summary>Creates a table from columns of equal length with distinct names.</summary>
    /// <exception cref="ArgumentException">Columns differ in length or two share a name.</exception>
    public Table(IEnumerable<Column> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        _columns = [.. columns];
        _names = new string[_columns.Length];
        _indexByName = new Dictionary<string, int>(_columns.Length, StringComparer.Ordinal);
        RowCount = _columns.Length == 0 ? 0 : _columns[0].Length;
        for (var i = 0; i < _columns.Length; i++)
        {
            var column = _columns[i] ?? throw new ArgumentException($"Column {i} is null.", nameof(columns));
            if (column.Length != RowCount)
            {
                throw new ArgumentException(
                    $"Column '{column.Name}' has {column.Length} rows but column '{_columns[0].Name}' has {RowCount}; all columns must have the same length.",
                    nameof(columns));
            }
            if (!_indexByName.TryAdd(column.Name, i))
            {
                throw new ArgumentException($"Two columns are named '{column.Name}'; column names must be distinct.", nameof(columns));
            }
            _names[i] = column.Name;
        }
    }

    /// <summary>An empty table (no columns, no rows).</summary>
    public static Table Empty { get; } = new([]);

    /// <summary>The number of rows.</summary>
    public int RowCount { get; }

    /// <summary>The number of columns.</summary>
    public int ColumnCount => _columns.Length;

    /// <summary>The columns in order.</summary>
    public IReadOnlyList<Column> Columns => _columns;

    /// <summary>The column names in order.</summary>
    public IReadOnlyList<string> ColumnNames => _names;

    /// <summary>The column at <paramref name="index"/>.</summary>
    public Column this[int index] => _columns[index];

    /// <summary>The column named <paramref name="name"/>.</summary>
    /// <exception cref="ColumnNotFoundException">No column has that name; the message lists the available ones.</exception>
    public Column this[string name] => _columns[GetIndex(name)];

    /// <summary>Whether the table has a column named <paramref name="name"/>.</summary>
    public bool Contains(string name) => _indexByName.ContainsKey(name);

    /// <summary>The position of the column named <paramref name="name"/>, or -1.</summary>
    public int IndexOf(string name) => _indexByName.TryGetValue(name, out var index) ? index : -1;

    /// <summary>The position of the column named <paramref name="name"/>.</summary>
    /// <exception cref="ColumnNotFoundException">No column has that name; the message lists the available ones.</exception>
    public int GetIndex(string name) =>
        _indexByName.TryGetValue(name, out var index) ? index : throw new ColumnNotFoundException(name, _names);

    /// <summary>Looks up the column named <paramref name="name"/>.</summary>
    public bool TryGetColumn(string name, [NotNullWhen(true)] out Column? column)
    {
        if (_indexByName.TryGetValue(name, out var index))
        {
            column = _columns[index];
            return true;
        }
        column = null;
        return false;
    }

    /// <summary>The column named <paramref name="name"/> as a <typeparamref name="TColumn"/>
    /// (e.g. <see cref="NumericColumn"/>, <see cref="CategoricalColumn"/>).</summary>
    /// <exception cref="ColumnNotFoundException">No column has that name.</exception>
    /// <exception cref="InvalidCastException">The column is of another kind; the message says which.</exception>
    public TColumn GetColumn<TColumn>(string name)
        where TColumn : Column
    {
        var column = this[name];
        return column as TColumn ?? throw new InvalidCastException(
            $"Column '{name}' is {column.Kind} ({column.GetType().Name}), not {typeof(TColumn).Name}.");
    }
}
