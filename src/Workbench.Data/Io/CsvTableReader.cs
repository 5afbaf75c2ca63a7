using Workbench.Data.Tables;

namespace Workbench.Data.Io;

/// <summary>Reads a canonical CSV table into a <see cref="RowSink{T}"/>: header checks, then each record's
/// cells parsed in invariant culture.</summary>
internal static class CsvTableReader
{
    const NumberStyles IntStyle = NumberStyles.AllowLeadingSign;
    const NumberStyles DecStyle = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint;
    const NumberStyles DblStyle = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;

    sealed class Origin(CsvRecordReader reader, int[] fieldOfColumn) : IRowOrigin
    {
        public string CellText(int column) => fieldOfColumn[column] is int f and >= 0 && f < reader.FieldCount ? reader.Field(f).ToString() : "";
        public string RawText() => reader.RawText.ToString();
    }

    /// <summary>Reads the table; returns false when the file is unusable (empty, missing columns), with the problem recorded.</summary>
    public static bool Read<T>(TableCodec<T> codec, string path, string displayName, RowSink<T> sink, ValidationMode mode)
    {
        if (mode == ValidationMode.Lenient) return ReadRecords(codec, path, displayName, sink, mode, null);
        // Strict mode refuses text that is not UTF-8 instead of reading it as U+FFFD.
        try { return ReadRecords(codec, path, displayName, sink, mode, StrictUtf8); }
        catch (System.Text.DecoderFallbackException)
        {
            var (offset, line) = FirstInvalidUtf8(path);
            sink.FileProblem(new DataProblem(displayName, line, null, null,
                $"UTF-8 text; the byte sequence at byte offset {offset.ToString(CultureInfo.InvariantCulture)} is not valid UTF-8"));
            return false;
        }
    }

    static readonly System.Text.UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Byte offset and 1-based line of the first invalid UTF-8 sequence in the file (after a BOM).</summary>
    internal static (long Offset, long Line) FirstInvalidUtf8(string path)
    {
        using var stream = File.OpenRead(path);
        var buffer = new byte[1 << 16];
        var chars = new char[1 << 16];
        long offset = 0, line = 1;
        int carry = 0;
        while (true)
        {
            int n = stream.Read(buffer, carry, buffer.Length - carry);
            int len = carry + n;
            bool last = n == 0;
            var span = buffer.AsSpan(0, len);
            int start = 0;
            if (offset == 0 && span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) start = 3;
            while (start < len)
            {
                var status = System.Text.Unicode.Utf8.ToUtf16(span[start..], chars, out int read, out _, replaceInvalidSequences: false, isFinalBlock: last);
                line += span.Slice(start, read).Count((byte)'\n');
                start += read;
                if (status == System.Buffers.OperationStatus.InvalidData) return (offset + start, line);
                if (status == System.Buffers.OperationStatus.NeedMoreData) break;
            }
            if (last || len == 0) return (offset + start, line);
            carry = len - start;
            Array.Copy(buffer, start, buffer, 0, carry);
            offset += start;
        }
    }

    static bool ReadRecords<T>(TableCodec<T> codec, string path, string displayName, RowSink<T> sink, ValidationMode mode, System.Text.Encoding? encoding)
    {
        var schema = codec.Schema;
        using var reader = CsvRecordReader.Open(path, encoding: encoding);
        var expectedHeader = string.Join(",", schema.Columns.Select(c => c.Name));
        if (!reader.Read())
        {
            sink.FileProblem(new DataProblem(displayName, 1, schema.Columns[0].Name, "", $"a header row ({expectedHeader}); the file is empty"));
            return false;
        }

        int headerCount = reader.FieldCount;
        var fieldOfColumn = Enumerable.Repeat(-1, schema.Columns.Count).ToArray();
        var columnOfField = new int[headerCount];
        bool usable = true;
        var headerText = reader.RawText.ToString();
        for (int f = 0; f < headerCount; f++)
        {
            var name = reader.Field(f).ToString();
            int c = IndexOf(schema, name);
            columnOfField[f] = c;
            if (c < 0)
            {
                // Unknown columns stop a strict load; a lenient load ignores them but says so.
                sink.FileProblem(new DataProblem(displayName, reader.Line, name, name,
                    $"one of the columns of {schema.Name} ({expectedHeader})" + (mode == ValidationMode.Lenient ? "; the column is ignored" : "")));
                if (mode == ValidationMode.Strict) usable = false;
            }
            else if (fieldOfColumn[c] >= 0)
            {
                sink.FileProblem(new DataProblem(displayName, reader.Line, name, name, "each column once in the header"));
                usable = false;
            }
            else fieldOfColumn[c] = f;
        }
        var absentOptional = new List<int>();
        for (int c = 0; c < schema.Columns.Count; c++)
            if (fieldOfColumn[c] < 0 && schema.Columns[c].Optional) absentOptional.Add(c);
            else if (fieldOfColumn[c] < 0)
            {
                sink.FileProblem(new DataProblem(displayName, reader.Line, schema.Columns[c].Name, headerText,
                    $"a column named '{schema.Columns[c].Name}' in the header ({expectedHeader})"));
                usable = false;
            }
        if (!usable) return false;

        var pools = sink.Pools;
        var enums = CellText.EnumsOf(schema);
        var origin = new Origin(reader, fieldOfColumn);
        var b = sink.Buffer;
        bool reserved = false;

        while (!sink.Stop && reader.Read())
        {
            if (!reserved)
            {
                // Estimate the row count from the first record's length (+10%) to size the row list once.
                reserved = true;
                sink.Reserve((long)(new FileInfo(path).Length / (reader.RawText.Length + 1.0) * 1.1));
            }
            sink.BeginRow();
            if (reader.Malformed is { } malformed)
            {
                int last = Math.Min(reader.FieldCount, headerCount) - 1;
                string col = last >= 0 && columnOfField[last] >= 0 ? schema.Columns[columnOfField[last]].Name : $"field {last + 1}";
                sink.RowFailed(col, reader.Field(reader.FieldCount - 1).ToString(), malformed, reader.Line, origin);
                continue;
            }
            if (reader.FieldCount != headerCount)
            {
                string col; string value;
                if (reader.FieldCount < headerCount)
                {
                    int f = reader.FieldCount;
                    col = columnOfField[f] >= 0 ? schema.Columns[columnOfField[f]].Name : $"field {f + 1}";
                    value = reader.RawText.ToString();
                }
                else { col = $"field {headerCount + 1} (beyond the header)"; value = reader.Field(headerCount).ToString(); }
                sink.RowFailed(col, value, $"{headerCount} fields as in the header, found {reader.FieldCount}", reader.Line, origin);
                continue;
            }
            for (int f = 0; f < headerCount; f++)
            {
                int c = columnOfField[f];
                if (c < 0) continue;
                var text = reader.Field(f);
                if (text.Length == 0 && !reader.Quoted(f)) { b.IsNull[c] = true; continue; }
                var spec = schema.Columns[c];
                bool ok = true;
                switch (spec.Type)
                {
                    case ColumnType.String:
                        if (pools[c] is { } pool) b.Str[c] = pool.Get(text, out b.Id[c]); else b.Str[c] = text.ToString();
                        break;
                    case ColumnType.Int:
                        ok = int.TryParse(text, IntStyle, CultureInfo.InvariantCulture, out int iv); b.Long[c] = iv;
                        break;
                    case ColumnType.Decimal:
                        ok = decimal.TryParse(text, DecStyle, CultureInfo.InvariantCulture, out b.Dec[c]);
                        break;
                    case ColumnType.Double:
                        ok = double.TryParse(text, DblStyle, CultureInfo.InvariantCulture, out b.Dbl[c]);
                        break;
                    case ColumnType.Date:
                        ok = TryParseIsoDate(text, out int day); b.Long[c] = day;
                        break;
                    case ColumnType.Bool:
                        ok = ParseBool(text, out bool bv); b.Long[c] = bv ? 1 : 0;
                        break;
                    case ColumnType.Enum:
                        ok = enums[c]!.TryParse(text, out int ev); b.Long[c] = ev;
                        break;
                }
                if (!ok) sink.ParseFailed(c, text.ToString());
            }
            foreach (int c in absentOptional) b.IsNull[c] = true;
            sink.EndRow(reader.Line, origin);
        }
        return true;
    }

    static int IndexOf(TableSchema schema, string name)
    {
        for (int i = 0; i < schema.Columns.Count; i++) if (schema.Columns[i].Name == name) return i;
        return -1;
    }

    static bool ParseBool(ReadOnlySpan<char> s, out bool value)
    {
        if (s.Equals("true", StringComparison.OrdinalIgnoreCase)) { value = true; return true; }
        value = false;
        return s.Equals("false", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Exactly yyyy-MM-dd with a real calendar day; returns the DayNumber.</summary>
    internal static bool TryParseIsoDate(ReadOnlySpan<char> s, out int dayNumber)
    {
        dayNumber = 0;
        if (s.Length != 10 || s[4] != '-' || s[7] != '-') return false;
        int y = 0, m = 0, d = 0;
        for (int i = 0; i < 4; i++) { int v = s[i] - '0'; if ((uint)v > 9) return false; y = y * 10 + v; }
        for (int i = 5; i < 7; i++) { int v = s[i] - '0'; if ((uint)v > 9) return false; m = m * 10 + v; }
        for (int i = 8; i < 10; i++) { int v = s[i] - '0'; if ((uint)v > 9) return false; d = d * 10 + v; }
        if (y < 1 || m < 1 || m > 12 || d < 1 || d > DateTime.DaysInMonth(y, m)) return false;
        dayNumber = new DateOnly(y, m, d).DayNumber;
        return true;
    }
}
