namespace Workbench.Data.Tables;

/// <summary>One row's typed cells, indexed by schema column ordinal. Readers fill it, codecs build records
/// from it, writers read it. Dates are stored as DayNumber, enums as their integer value, bools as 0/1,
/// all in <see cref="Long"/>, so one row costs no allocation.</summary>
internal sealed class RowBuffer
{
    public readonly string?[] Str;
    /// <summary>Pool id of a string cell (see <see cref="Io.StringPool"/>); set by readers for pooled columns only.</summary>
    public readonly int[] Id;
    public readonly long[] Long;
    public readonly decimal[] Dec;
    public readonly double[] Dbl;
    public readonly bool[] IsNull;

    public RowBuffer(int columns)
    {
        Str = new string?[columns]; Id = new int[columns]; Long = new long[columns]; Dec = new decimal[columns];
        Dbl = new double[columns]; IsNull = new bool[columns];
    }

    public void Clear() => Array.Clear(IsNull);

    public string S(int c) => Str[c]!;
    public string? SN(int c) => IsNull[c] ? null : Str[c];
    public int I(int c) => (int)Long[c];
    public int? IN(int c) => IsNull[c] ? null : (int)Long[c];
    public decimal M(int c) => Dec[c];
    public double F(int c) => Dbl[c];
    public double? FN(int c) => IsNull[c] ? null : Dbl[c];
    public DateOnly D(int c) => DateOnly.FromDayNumber((int)Long[c]);
    public DateOnly? DN(int c) => IsNull[c] ? null : DateOnly.FromDayNumber((int)Long[c]);
    public bool B(int c) => Long[c] != 0;
    public int E(int c) => (int)Long[c];

    public void SetS(int c, string? v) { Str[c] = v; IsNull[c] = v is null; }
    public void SetI(int c, int v) { Long[c] = v; IsNull[c] = false; }
    public void SetI(int c, int? v) { Long[c] = v.GetValueOrDefault(); IsNull[c] = !v.HasValue; }
    public void SetM(int c, decimal v) { Dec[c] = v; IsNull[c] = false; }
    public void SetM(int c, decimal? v) { Dec[c] = v.GetValueOrDefault(); IsNull[c] = !v.HasValue; }
    public void SetF(int c, double v) { Dbl[c] = v; IsNull[c] = false; }
    public void SetF(int c, double? v) { Dbl[c] = v.GetValueOrDefault(); IsNull[c] = !v.HasValue; }
    public void SetD(int c, DateOnly v) { Long[c] = v.DayNumber; IsNull[c] = false; }
    public void SetD(int c, DateOnly? v) { Long[c] = v.GetValueOrDefault().DayNumber; IsNull[c] = !v.HasValue; }
    public void SetB(int c, bool v) { Long[c] = v ? 1 : 0; IsNull[c] = false; }
    public void SetE(int c, int v) { Long[c] = v; IsNull[c] = false; }

    /// <summary>The cell as a number, for range checks.</summary>
    public double Numeric(int c, ColumnType type) => type switch
    {
        ColumnType.Int => Long[c],
        ColumnType.Decimal => (double)Dec[c],
        ColumnType.Double => Dbl[c],
        _ => double.NaN,
    };
}
