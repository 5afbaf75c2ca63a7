using System.Text;
using Workbench.Data.Tables;

namespace Workbench.Data.Io;

/// <summary>Writes a table as canonical CSV (UTF-8 without BOM, LF line ends, header = schema column names),
/// atomically. The same rows always give the same bytes.</summary>
internal static class CsvTableWriter
{
    public static void Write<T>(TableCodec<T> codec, IReadOnlyList<T> rows, string path)
    {
        var schema = codec.Schema;
        var enums = CellText.EnumsOf(schema);
        AtomicFile.Write(path, stream =>
        {
            using var w = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
            w.Write(string.Join(",", schema.Columns.Select(c => c.Name)));
            w.Write('\n');
            var sb = new StringBuilder(1 << 17);
            var b = new RowBuffer(schema.Columns.Count);
            for (int r = 0; r < rows.Count; r++)
            {
                codec.Fill(rows[r], b);
                for (int c = 0; c < schema.Columns.Count; c++)
                {
                    if (c > 0) sb.Append(',');
                    CellText.Append(sb, b, c, schema.Columns[c], enums[c]);
                }
                sb.Append('\n');
                if (sb.Length > 1 << 16) { w.Write(sb); sb.Clear(); }
            }
            w.Write(sb);
        });
    }
}
