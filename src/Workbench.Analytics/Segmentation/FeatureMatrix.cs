using MathNet.Numerics.LinearAlgebra;

namespace Workbench.Analytics.Segmentation;

/// <summary>A dense numeric feature matrix (rows = accounts, columns = features) stored as one flat
/// row-major <c>double[]</c>, so the clustering kernels can stream it without pointer chasing.</summary>
public sealed class FeatureMatrix
{
    /// <summary>Row-major values: element (i, j) is at <c>Values[i * Columns + j]</c>.</summary>
    internal double[] Values { get; }
    public int Rows { get; }
    public int Columns { get; }
    public IReadOnlyList<string> ColumnNames { get; }

    internal FeatureMatrix(double[] values, int rows, int columns, IReadOnlyList<string> columnNames)
    {
        if (rows < 1 || columns < 1) throw new OptionsValidationException($"A feature matrix needs at least one row and one column (got {rows} x {columns}).");
        if (values.Length != rows * columns) throw new OptionsValidationException($"Expected {rows * columns} values for {rows} x {columns}, got {values.Length}.");
        if (columnNames.Count != columns) throw new OptionsValidationException($"Expected {columns} column names, got {columnNames.Count}.");
        if (columnNames.Distinct(StringComparer.Ordinal).Count() != columns) throw new OptionsValidationException("Column names must be unique.");
        for (int i = 0; i < values.Length; i++)
            if (!double.IsFinite(values[i]))
                throw new OptionsValidationException($"Feature matrix row {i / columns}, column '{columnNames[i % columns]}': value {values[i].ToString(RunContext.Culture)} is not a finite number.");
        Values = values; Rows = rows; Columns = columns; ColumnNames = columnNames;
    }

    /// <summary>Builds a matrix from jagged rows (copied). Every row must have one value per column name.</summary>
    public static FeatureMatrix FromRows(IReadOnlyList<double[]> rows, IReadOnlyList<string> columnNames)
    {
        int d = columnNames.Count;
        var values = new double[rows.Count * d];
        for (int i = 0; i < rows.Count; i++)
        {
            if (rows[i].Length != d) throw new OptionsValidationException($"Row {i} has {rows[i].Length} values; expected {d} (one per column name).");
            Array.Copy(rows[i], 0, values, i * d, d);
        }
        return new FeatureMatrix(values, rows.Count, d, columnNames.ToArray());
    }

    /// <summary>Builds a matrix from a Math.NET matrix (copied).</summary>
    public static FeatureMatrix FromMatrix(Matrix<double> matrix, IReadOnlyList<string> columnNames)
    {
        var values = new double[matrix.RowCount * matrix.ColumnCount];
        for (int i = 0; i < matrix.RowCount; i++)
            for (int j = 0; j < matrix.ColumnCount; j++) values[i * matrix.ColumnCount + j] = matrix[i, j];
        return new FeatureMatrix(values, matrix.RowCount, matrix.ColumnCount, columnNames.ToArray());
    }

    /// <summary>Wraps a flat row-major array (copied).</summary>
    public static FeatureMatrix FromFlat(double[] rowMajor, int rows, IReadOnlyList<string> columnNames)
        => new((double[])rowMajor.Clone(), rows, columnNames.Count, columnNames.ToArray());

    /// <summary>Wraps without copying; the caller promises not to mutate the array.</summary>
    internal static FeatureMatrix Wrap(double[] rowMajor, int rows, IReadOnlyList<string> columnNames)
        => new(rowMajor, rows, columnNames.Count, columnNames);

    public double this[int row, int column] => Values[row * Columns + column];

    /// <summary>A copy of one row.</summary>
    public double[] Row(int row) => Values.AsSpan(row * Columns, Columns).ToArray();

    /// <summary>A copy of one column.</summary>
    public double[] Column(int column)
    {
        var c = new double[Rows];
        for (int i = 0; i < Rows; i++) c[i] = Values[i * Columns + column];
        return c;
    }

    /// <summary>Index of a column by name; throws naming the known columns if absent.</summary>
    public int ColumnIndex(string name)
    {
        for (int j = 0; j < Columns; j++) if (ColumnNames[j] == name) return j;
        throw new OptionsValidationException($"Unknown column '{name}'; known columns: {string.Join(", ", ColumnNames)}.");
    }

    /// <summary>The rows at the given indices (copied, in that order; repeats allowed).</summary>
    public FeatureMatrix SelectRows(IReadOnlyList<int> indices)
    {
        var v = new double[indices.Count * Columns];
        for (int r = 0; r < indices.Count; r++) Array.Copy(Values, indices[r] * Columns, v, r * Columns, Columns);
        return new FeatureMatrix(v, indices.Count, Columns, ColumnNames);
    }

    /// <summary>Copies into a Math.NET dense matrix.</summary>
    public Matrix<double> ToMatrix() => Matrix<double>.Build.Dense(Rows, Columns, (i, j) => Values[i * Columns + j]);

    /// <summary>Copies into jagged rows.</summary>
    public double[][] ToRows() => Enumerable.Range(0, Rows).Select(Row).ToArray();
}
