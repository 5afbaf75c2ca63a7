using Microsoft.ML;
using Microsoft.ML.Data;
namespace Workbench.Analytics.Modeling;

/// <summary>
/// An ML.NET view over a row-major float matrix: a "Features" vector column (one slot per feature, with slot names) and,
/// when labels are given, a boolean "Label" column. It replaces <c>LoadFromEnumerable</c>, whose row mapping emits code
/// at run time and so fails where dynamic code is off (.NET file-based apps, native AOT); it also copies nothing.
/// </summary>
internal sealed class DenseDataView : IDataView
{
    readonly float[] _values;
    readonly bool[]? _labels;
    readonly float[]? _numericLabels;
    readonly int _rows, _columns;

    public DataViewSchema Schema { get; }
    public bool CanShuffle => false;

    /// <summary>A view with a numeric (Single) "Label" column, for multiclass and regression trainers.</summary>
    public DenseDataView(float[] values, IReadOnlyList<string> featureNames, float[] labels) : this(values, featureNames, null, labels) { }

    public DenseDataView(float[] values, IReadOnlyList<string> featureNames, bool[]? labels) : this(values, featureNames, labels, null) { }

    DenseDataView(float[] values, IReadOnlyList<string> featureNames, bool[]? labels, float[]? numericLabels)
    {
        if (numericLabels is not null && numericLabels.Length != (featureNames.Count == 0 ? numericLabels.Length : values.Length / featureNames.Count))
            throw new ArgumentException($"{numericLabels.Length} labels for {values.Length / Math.Max(1, featureNames.Count)} rows.");
        _numericLabels = numericLabels;
        _columns = featureNames.Count;
        _rows = _columns == 0 ? labels?.Length ?? 0 : values.Length / _columns;
        if ((long)_rows * _columns != values.LongLength) throw new ArgumentException($"{values.Length} values are not rows of {_columns} features.");
        if (labels is not null && labels.Length != _rows) throw new ArgumentException($"{labels.Length} labels for {_rows} rows.");
        (_values, _labels) = (values, labels);
        var slotNames = new VBuffer<ReadOnlyMemory<char>>(_columns, featureNames.Select(n => n.AsMemory()).ToArray());
        var annotations = new DataViewSchema.Annotations.Builder();
        annotations.Add("SlotNames", new VectorDataViewType(TextDataViewType.Instance, _columns),
            (ValueGetter<VBuffer<ReadOnlyMemory<char>>>)((ref VBuffer<ReadOnlyMemory<char>> dst) => slotNames.CopyTo(ref dst)));
        var builder = new DataViewSchema.Builder();
        builder.AddColumn("Features", new VectorDataViewType(NumberDataViewType.Single, _columns), annotations.ToAnnotations());
        if (labels is not null) builder.AddColumn("Label", BooleanDataViewType.Instance);
        else if (numericLabels is not null) builder.AddColumn("Label", NumberDataViewType.Single);
        Schema = builder.ToSchema();
    }

    public long? GetRowCount() => _rows;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(this);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => [new Cursor(this)];

    sealed class Cursor(DenseDataView view) : DataViewRowCursor
    {
        long _position = -1;

        public override DataViewSchema Schema => view.Schema;
        public override long Position => _position;
        public override long Batch => 0;

        public override bool MoveNext()
        {
            if (_position + 1 >= view._rows) { _position = view._rows; return false; }
            _position++;
            return true;
        }

        public override bool IsColumnActive(DataViewSchema.Column column) => column.Index < view.Schema.Count;

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index == 0)
            {
                ValueGetter<VBuffer<float>> features = (ref VBuffer<float> dst) =>
                {
                    var editor = VBufferEditor.Create(ref dst, view._columns);
                    view._values.AsSpan((int)(_position * view._columns), view._columns).CopyTo(editor.Values);
                    dst = editor.Commit();
                };
                return features as ValueGetter<TValue> ?? throw new InvalidOperationException($"Column Features is a float vector, not {typeof(TValue).Name}.");
            }
            if (column.Index == 1 && view._labels is { } labels)
            {
                ValueGetter<bool> label = (ref bool dst) => dst = labels[_position];
                return label as ValueGetter<TValue> ?? throw new InvalidOperationException($"Column Label is a boolean, not {typeof(TValue).Name}.");
            }
            if (column.Index == 1 && view._numericLabels is { } numeric)
            {
                ValueGetter<float> label = (ref float dst) => dst = numeric[_position];
                return label as ValueGetter<TValue> ?? throw new InvalidOperationException($"Column Label is a float, not {typeof(TValue).Name}.");
            }
            throw new ArgumentOutOfRangeException(nameof(column), $"No column {column.Index} in this view.");
        }
    }
}
