using Kiln.Tabular;
using Kiln.Tabular.Columns;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Kiln.Flavors.MlNet;

/// <summary>A Kiln <see cref="Table"/> as an ML.NET <see cref="IDataView"/> with the column types a model's input schema
/// asks for (Single, Double, Boolean, Int32, Int64 or Text), read in place row by row.</summary>
internal sealed class TableDataView : IDataView
{
    private readonly Column[] _columns;

    public TableDataView(DataViewSchema schema, Column[] columns, int rows)
    {
        Schema = schema;
        _columns = columns;
        RowCount = rows;
    }

    public int RowCount { get; }

    public bool CanShuffle => false;

    public DataViewSchema Schema { get; }

    public long? GetRowCount() => RowCount;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(this);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [new Cursor(this)];

    private sealed class Cursor(TableDataView view) : DataViewRowCursor
    {
        private long _position = -1;

        public override long Position => _position;

        public override long Batch => 0;

        public override DataViewSchema Schema => view.Schema;

        public override bool MoveNext() => ++_position < view.RowCount;

        public override bool IsColumnActive(DataViewSchema.Column column) => true;

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            var source = view._columns[column.Index];
            var numeric = source as NumericColumn;
            double Number() => numeric is null ? double.NaN : numeric.IsMissing((int)_position) ? double.NaN : numeric.GetValue((int)_position);
            Delegate getter = column.Type switch
            {
                _ when column.Type == NumberDataViewType.Single => (ValueGetter<float>)((ref float v) => v = (float)Number()),
                _ when column.Type == NumberDataViewType.Double => (ValueGetter<double>)((ref double v) => v = Number()),
                _ when column.Type == NumberDataViewType.Int32 => (ValueGetter<int>)((ref int v) => v = (int)Number()),
                _ when column.Type == NumberDataViewType.Int64 => (ValueGetter<long>)((ref long v) => v = (long)Number()),
                _ when column.Type == BooleanDataViewType.Instance => (ValueGetter<bool>)((ref bool v) => v = Number() != 0),
                _ => (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> v) => v = (source.FormatValue((int)_position) ?? "").AsMemory()),
            };
            return (ValueGetter<TValue>)getter;
        }
    }
}
