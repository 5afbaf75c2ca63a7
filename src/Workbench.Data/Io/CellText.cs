using System.Buffers;
using System.Text;
using Workbench.Data.Tables;

namespace Workbench.Data.Io;

/// <summary>Canonical text of cells: invariant culture, yyyy-MM-dd dates, snake_case enums, true/false,
/// decimals without trailing zeros, doubles in shortest round-trip form, null as an empty cell and the
/// empty string as <c>""</c>. Writers and reject reports share it so the same value always reads the same.</summary>
internal static class CellText
{
    static readonly SearchValues<char> NeedsQuotes = SearchValues.Create(",\"\r\n");
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Removes trailing zeros (12.50 becomes 12.5) so a value's text does not depend on the scale it came with.</summary>
    public static decimal Normalize(decimal value) => value / 1.000000000000000000000000000000000m;

    /// <summary>Appends one cell (quoted when RFC 4180 requires it) to <paramref name="sb"/>.</summary>
    public static void Append(StringBuilder sb, RowBuffer b, int c, ColumnSpec spec, EnumText? enumText)
    {
        if (b.IsNull[c]) return;
        Span<char> tmp = stackalloc char[64];
        int n;
        switch (spec.Type)
        {
            case ColumnType.String: AppendQuoted(sb, b.Str[c]!); return;
            case ColumnType.Int: b.Long[c].TryFormat(tmp, out n, default, Inv); break;
            case ColumnType.Decimal: Normalize(b.Dec[c]).TryFormat(tmp, out n, default, Inv); break;
            case ColumnType.Double: b.Dbl[c].TryFormat(tmp, out n, "R", Inv); break;
            case ColumnType.Date: DateOnly.FromDayNumber((int)b.Long[c]).TryFormat(tmp, out n, CrmSchema.DateFormat, Inv); break;
            case ColumnType.Bool: sb.Append(b.Long[c] != 0 ? "true" : "false"); return;
            case ColumnType.Enum: sb.Append(enumText!.Name((int)b.Long[c])); return;
            default: throw new InvalidOperationException(spec.Type.ToString());
        }
        sb.Append(tmp[..n]);
    }

    public static void AppendQuoted(StringBuilder sb, string s)
    {
        if (s.Length == 0) { sb.Append("\"\""); return; }
        if (s.AsSpan().IndexOfAny(NeedsQuotes) < 0) { sb.Append(s); return; }
        sb.Append('"');
        foreach (char ch in s) { if (ch == '"') sb.Append('"'); sb.Append(ch); }
        sb.Append('"');
    }

    /// <summary>The row as one canonical CSV line (no line break).</summary>
    public static string Line(RowBuffer b, TableSchema schema, EnumText?[] enums)
    {
        var sb = new StringBuilder();
        for (int c = 0; c < schema.Columns.Count; c++)
        {
            if (c > 0) sb.Append(',');
            Append(sb, b, c, schema.Columns[c], enums[c]);
        }
        return sb.ToString();
    }

    public static EnumText?[] EnumsOf(TableSchema schema) =>
        schema.Columns.Select(c => c.EnumType is null ? null : EnumText.For(c.EnumType)).ToArray();

    /// <summary>Plain-language description of what a column accepts, used in problem messages.</summary>
    public static string Expectation(ColumnSpec spec, EnumText? enumText) => spec.Type switch
    {
        ColumnType.Int => "a whole number (invariant culture, no thousands separator)",
        ColumnType.Decimal => "a decimal number in invariant culture ('.' as decimal separator, no thousands separator)",
        ColumnType.Double => "a finite number in invariant culture ('.' as decimal separator, no thousands separator)",
        ColumnType.Date => "a date in yyyy-MM-dd (invariant culture)",
        ColumnType.Bool => "true or false",
        ColumnType.Enum => enumText!.Expectation,
        _ => "text",
    };
}
