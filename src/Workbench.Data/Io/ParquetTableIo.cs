using Parquet;
using Parquet.Schema;
using Workbench.Data.Tables;

namespace Workbench.Data.Io;

/// <summary>Parquet form of the canonical tables: one Parquet column per schema column, enums as snake_case
/// strings, dates as DATE, decimals as DECIMAL with the smallest scale that holds every value of the column
/// (so the choice depends only on the data, and the same rows give the same bytes).</summary>
internal static class ParquetTableIo
{
    internal const int RowGroupSize = 1 << 20;

    static ParquetOptions Options => new() { UseDateOnlyTypeForDates = true, CompressionMethod = CompressionMethod.Snappy };

    static Type ClrTypeOf(ColumnType t) => t switch
    {
        ColumnType.String or ColumnType.Enum => typeof(string),
        ColumnType.Int => typeof(int),
        ColumnType.Decimal => typeof(decimal),
        ColumnType.Double => typeof(double),
        ColumnType.Date => typeof(DateOnly),
        ColumnType.Bool => typeof(bool),
        _ => throw new InvalidOperationException(t.ToString()),
    };

    public static void Write<T>(TableCodec<T> codec, IReadOnlyList<T> rows, string path) =>
        AtomicFile.Write(path, stream => Task.Run(() => WriteAsync(codec, rows, stream)).GetAwaiter().GetResult());

    static async Task WriteAsync<T>(TableCodec<T> codec, IReadOnlyList<T> rows, Stream stream)
    {
        var schema = codec.Schema;
        int n = schema.Columns.Count;
        var b = new RowBuffer(n);
        var fields = new DataField[n];
        for (int c = 0; c < n; c++)
        {
            var spec = schema.Columns[c];
            if (spec.Type == ColumnType.Decimal)
            {
                var (precision, scale) = DecimalShape(codec, rows, c, b);
                fields[c] = new DecimalDataField(spec.Name, precision, scale, false, spec.Nullable);
            }
            else fields[c] = new DataField(spec.Name, ClrTypeOf(spec.Type), spec.Nullable || ClrTypeOf(spec.Type) == typeof(string));
        }
        var enums = CellText.EnumsOf(schema);
        await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), stream, Options);
        for (int start = 0; start < rows.Count; start += RowGroupSize)
        {
            int count = Math.Min(RowGroupSize, rows.Count - start);
            var cols = new ColumnArrays(schema, count);
            for (int i = 0; i < count; i++)
            {
                codec.Fill(rows[start + i], b);
                cols.Set(i, b, enums);
            }
            using var rg = writer.CreateRowGroup();
            for (int c = 0; c < n; c++)
            {
                var spec = schema.Columns[c];
                var f = fields[c];
                switch (spec.Type)
                {
                    case ColumnType.String or ColumnType.Enum: await rg.WriteAsync(f, cols.Str[c]!); break;
                    case ColumnType.Int: await WriteValues(rg, f, spec.Nullable, cols.IntN[c], cols.Int[c]); break;
                    case ColumnType.Decimal: await WriteValues(rg, f, spec.Nullable, cols.DecN[c], cols.Dec[c]); break;
                    case ColumnType.Double: await WriteValues(rg, f, spec.Nullable, cols.DblN[c], cols.Dbl[c]); break;
                    case ColumnType.Date: await WriteValues(rg, f, spec.Nullable, cols.DateN[c], cols.Date[c]); break;
                    case ColumnType.Bool: await rg.WriteAsync<bool>(f, (ReadOnlyMemory<bool>)cols.Bool[c]!); break;
                }
            }
            rg.CompleteValidate();
        }
    }

    /// <summary>Smallest scale that holds every value exactly; precision 18 (stored as int64) when it fits, else 28.</summary>
    /// <summary>One value-type column chunk: the nullable array when the column is nullable, else the plain one.</summary>
    static async Task WriteValues<TValue>(ParquetRowGroupWriter rg, DataField field, bool nullable, TValue?[]? nullableValues, TValue[]? values)
        where TValue : struct
    {
        if (nullable) await rg.WriteAsync<TValue>(field, (ReadOnlyMemory<TValue?>)nullableValues!);
        else await rg.WriteAsync<TValue>(field, (ReadOnlyMemory<TValue>)values!);
    }

    static (int Precision, int Scale) DecimalShape<T>(TableCodec<T> codec, IReadOnlyList<T> rows, int c, RowBuffer b)
    {
        int scale = 0; decimal maxAbs = 0;
        foreach (var row in rows)
        {
            codec.Fill(row, b);
            if (b.IsNull[c]) continue;
            var v = CellText.Normalize(b.Dec[c]);
            if (v.Scale > scale) scale = v.Scale;
            var a = Math.Abs(v);
            if (a > maxAbs) maxAbs = a;
        }
        int intDigits = 1;
        for (decimal p = 10; intDigits < 29 && maxAbs >= p; p *= 10) intDigits++;
        if (intDigits + scale <= 18) return (18, scale);
        return (28, Math.Min(scale, Math.Max(0, 28 - intDigits)));
    }

    /// <summary>Typed column arrays of one row group.</summary>
    sealed class ColumnArrays
    {
        public readonly string?[]?[] Str; public readonly int[]?[] Int; public readonly int?[]?[] IntN;
        public readonly decimal[]?[] Dec; public readonly decimal?[]?[] DecN; public readonly double[]?[] Dbl; public readonly double?[]?[] DblN;
        public readonly DateOnly[]?[] Date; public readonly DateOnly?[]?[] DateN; public readonly bool[]?[] Bool;
        readonly TableSchema schema;

        public ColumnArrays(TableSchema schema, int count)
        {
            this.schema = schema;
            int n = schema.Columns.Count;
            Str = new string?[n][]; Int = new int[n][]; IntN = new int?[n][]; Dec = new decimal[n][]; DecN = new decimal?[n][];
            Dbl = new double[n][]; DblN = new double?[n][]; Date = new DateOnly[n][]; DateN = new DateOnly?[n][]; Bool = new bool[n][];
            for (int c = 0; c < n; c++)
            {
                var s = schema.Columns[c];
                switch (s.Type)
                {
                    case ColumnType.String or ColumnType.Enum: Str[c] = new string?[count]; break;
                    case ColumnType.Int: if (s.Nullable) IntN[c] = new int?[count]; else Int[c] = new int[count]; break;
                    case ColumnType.Decimal: if (s.Nullable) DecN[c] = new decimal?[count]; else Dec[c] = new decimal[count]; break;
                    case ColumnType.Double: if (s.Nullable) DblN[c] = new double?[count]; else Dbl[c] = new double[count]; break;
                    case ColumnType.Date: if (s.Nullable) DateN[c] = new DateOnly?[count]; else Date[c] = new DateOnly[count]; break;
                    case ColumnType.Bool: Bool[c] = new bool[count]; break;
                }
            }
        }

        public void Set(int i, RowBuffer b, EnumText?[] enums)
        {
            for (int c = 0; c < schema.Columns.Count; c++)
            {
                var s = schema.Columns[c];
                bool isNull = b.IsNull[c];
                switch (s.Type)
                {
                    case ColumnType.String: Str[c]![i] = isNull ? null : b.Str[c]; break;
                    case ColumnType.Enum: Str[c]![i] = isNull ? null : enums[c]!.Name((int)b.Long[c]); break;
                    case ColumnType.Int: if (s.Nullable) IntN[c]![i] = isNull ? null : (int)b.Long[c]; else Int[c]![i] = (int)b.Long[c]; break;
                    case ColumnType.Decimal: if (s.Nullable) DecN[c]![i] = isNull ? null : b.Dec[c]; else Dec[c]![i] = b.Dec[c]; break;
                    case ColumnType.Double: if (s.Nullable) DblN[c]![i] = isNull ? null : b.Dbl[c]; else Dbl[c]![i] = b.Dbl[c]; break;
                    case ColumnType.Date:
                        if (s.Nullable) DateN[c]![i] = isNull ? null : DateOnly.FromDayNumber((int)b.Long[c]);
                        else Date[c]![i] = DateOnly.FromDayNumber((int)b.Long[c]);
                        break;
                    case ColumnType.Bool: Bool[c]![i] = b.Long[c] != 0; break;
                }
            }
        }
    }

    sealed class Origin(TableSchema schema, RowBuffer b, EnumText?[] enums, string?[]?[] enumText) : IRowOrigin
    {
        public int Row;
        public string CellText(int column)
        {
            if (schema.Columns[column].Type == ColumnType.Enum) return enumText[column]![Row] ?? "";
            if (b.IsNull[column]) return "";
            var sb = new System.Text.StringBuilder();
            Io.CellText.Append(sb, b, column, schema.Columns[column], enums[column]);
            return sb.ToString();
        }

        public string RawText() => string.Join(",", Enumerable.Range(0, schema.Columns.Count).Select(c =>
        {
            var sb = new System.Text.StringBuilder();
            if (schema.Columns[c].Type == ColumnType.Enum) { if (enumText[c]![Row] is { } e) Io.CellText.AppendQuoted(sb, e); }
            else Io.CellText.Append(sb, b, c, schema.Columns[c], enums[c]);
            return sb.ToString();
        }));
    }

    /// <summary>Reads a Parquet table into the sink. Line numbers in problems are 1-based row numbers
    /// (line 0 for schema problems). Returns false when the file's schema is unusable.</summary>
    public static bool Read<T>(TableCodec<T> codec, string path, string displayName, RowSink<T> sink, ValidationMode mode) =>
        Task.Run(() => ReadAsync(codec, path, displayName, sink, mode)).GetAwaiter().GetResult();

    static async Task<bool> ReadAsync<T>(TableCodec<T> codec, string path, string displayName, RowSink<T> sink, ValidationMode mode)
    {
        var schema = codec.Schema;
        int n = schema.Columns.Count;
        if (new FileInfo(path).Length == 0)
        {
            sink.FileProblem(new DataProblem(displayName, 0, schema.Columns[0].Name, "", "a Parquet file; the file is empty"));
            return false;
        }
        long fileLength = new FileInfo(path).Length;
        if (ParquetGuard.CheckFile(path, fileLength) is { } notParquet)
        {
            sink.FileProblem(new DataProblem(displayName, 0, null, null, "a Parquet file: " + notParquet));
            return false;
        }
        ParquetReader reader;
        // Parquet.Net throws whatever its parser meets on a corrupt footer (thrift errors, NullReference, InvalidOperation...):
        // every one of them is a located problem of this file, never a crash.
        try { reader = await ParquetReader.CreateAsync(path, Options); }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            sink.FileProblem(new DataProblem(displayName, 0, null, null, "a readable Parquet file: " + ex.Message));
            return false;
        }
        await using var _ = reader;
        DataField[] fileFields;
        try { fileFields = reader.Schema.GetDataFields(); }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            sink.FileProblem(new DataProblem(displayName, 0, null, null, "a readable Parquet schema: " + ex.Message));
            return false;
        }
        var fields = new DataField?[n];
        bool usable = true;
        foreach (var f in fileFields)
        {
            int c = -1;
            for (int i = 0; i < n; i++) if (schema.Columns[i].Name == f.Name) c = i;
            if (c < 0)
            {
                sink.FileProblem(new DataProblem(displayName, 0, f.Name, f.Name,
                    $"one of the columns of {schema.Name} ({string.Join(",", schema.Columns.Select(x => x.Name))})" + (mode == ValidationMode.Lenient ? "; the column is ignored" : "")));
                if (mode == ValidationMode.Strict) usable = false;
                continue;
            }
            var want = ClrTypeOf(schema.Columns[c].Type);
            if (f.ClrType != want && !(want == typeof(string) && f.ClrType == typeof(ReadOnlyMemory<char>)))
            {
                sink.FileProblem(new DataProblem(displayName, 0, f.Name, f.ClrType.Name, $"a Parquet column of .NET type {(want == typeof(string) ? "String (UTF-8 text)" : want.Name)}"));
                usable = false;
                continue;
            }
            fields[c] = f;
        }
        for (int c = 0; c < n; c++)
            if (fields[c] is null && fileFields.All(f => f.Name != schema.Columns[c].Name))
            {
                sink.FileProblem(new DataProblem(displayName, 0, schema.Columns[c].Name, string.Join(",", fileFields.Select(f => f.Name)),
                    $"a column named '{schema.Columns[c].Name}'"));
                usable = false;
            }
        if (!usable) return false;

        var enums = CellText.EnumsOf(schema);
        var b = sink.Buffer;
        var pools = sink.Pools;
        long rowBase = 0, total = 0, largest = 0;
        // Every length the file states is checked against the file before anything is allocated from it.
        var chunks = new ParquetGuard.ChunkPlace[reader.RowGroupCount][];
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var r = reader.OpenRowGroupReader(g);
            chunks[g] = new ParquetGuard.ChunkPlace[n];
            if (ParquetGuard.CheckRowGroup(r.RowGroup, g, fields.Select(f => f!.Name).ToArray(), fileLength, chunks[g]) is { } badGroup)
            {
                sink.FileProblem(new DataProblem(displayName, rowBase + 1, badGroup.Column, null, badGroup.Why));
                return false;
            }
            total += r.RowCount; largest = Math.Max(largest, r.RowCount);
            rowBase += r.RowCount;
        }
        rowBase = 0;
        sink.Reserve(total);
        if (sink.ReplayableKeyColumn is int keyColumn and >= 0)
        {
            // The key index keeps no id text while the ids ascend; if one does not, it reads them back from this file.
            var keyField = fields[keyColumn]!;
            var starts = new long[reader.RowGroupCount + 1];
            for (int g = 0; g < reader.RowGroupCount; g++) { using var r = reader.OpenRowGroupReader(g); starts[g + 1] = starts[g] + r.RowCount; }
            sink.ReplayKeyTexts(lines => ReplayTexts(path, keyField, starts, lines));
        }
        int largestRaw = 0, largestValues = 0;
        foreach (var group in chunks)
            foreach (var place in group)
            {
                largestRaw = Math.Max(largestRaw, place.Length);
                largestValues = Math.Max(largestValues, ParquetChunkDecoder.ValuesCapacity(place.UncompressedLength, place.Length, place.Codec));
            }
        var types = new ColumnType[n];
        for (int c = 0; c < n; c++) types[c] = schema.Columns[c].Type;
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        var scratch = TakeScratch();
        var chunk = scratch.Chunk;
        scratch.ReserveChunk(largestRaw, largestValues);
        var text = scratch.Text;
        // Column arrays sized for the largest row group and reused by every group (and, during a catalog load, by the
        // next tables): fresh 1M-row arrays per group cost page faults and zeroing for nothing. With several row groups,
        // two sets: the next group is decoded on another thread while this thread validates and builds the rows of the
        // current one (decoding stays one group at a time, in order, so string pools give every text the same id).
        int capacity = checked((int)largest);
        // During a catalog load, a big table's arrays are sized for a whole row group of this library's files, so every
        // big table can take over any other's arrays (from the pool shared by the load's threads) instead of allocating
        // fresh ones because a table before it had slightly fewer rows.
        if (SharedCapacity(capacity) is int shared) capacity = shared;
        int groups = reader.RowGroupCount;
        var sets = new GroupColumns[groups > 1 ? 2 : 1];
        for (int k = 0; k < sets.Length; k++) sets[k] = new GroupColumns(schema, pools, scratch, capacity);
        var groupStart = new long[groups + 1];
        for (int g = 0; g < groups; g++) { using var r = reader.OpenRowGroupReader(g); groupStart[g + 1] = groupStart[g] + r.RowCount; }

        // Decodes row group g into set; a problem (located at the group's first row) when a chunk is unreadable.
        async Task<DataProblem?> Decode(int g, GroupColumns set)
        {
            using var rg = reader.OpenRowGroupReader(g);
            int count = checked((int)rg.RowCount);
            var (nul, bad, str, lng, dec, dbl, ids) = (set.Nul, set.Bad, set.Str, set.Lng, set.Dec, set.Dbl, set.Ids);
            for (int c = 0; c < n; c++)
            {
                var f = fields[c]!;
                var t = schema.Columns[c].Type;
                Array.Clear(nul[c]);
                if (bad[c] is { } bc) Array.Clear(bc);
                var place = chunks[g][c];
                string? broken = null;
                try
                {
                    if (!ParquetChunkDecoder.ReadRaw(handle, place.Start, place.Length, chunk)) broken = "the column chunk's bytes (the file ends inside it)";
                    else if (ParquetChunkDecoder.CheckPages(chunk, place.Length, count, place.Codec) is { } pageProblem)
                    {
                        broken = pageProblem.Why;
                        place = place with { Start = place.Start + pageProblem.Offset };
                    }
                    else await ReadColumn();
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    broken = ex.Message;
                }
                if (broken is not null)
                    return new DataProblem(displayName, groupStart[g] + 1, f.Name, null,
                        $"a readable Parquet column chunk (row group {g}, byte offset {place.Start}): {broken}");
                continue;

                async Task ReadColumn()
                {
                if (TryReadFast(rg, f, t, count, place.Length, chunk, nul[c], pools[c], ids[c], enums[c], text, ref str[c], ref lng[c], ref dec[c], ref dbl[c], bad[c]))
                    return;
                switch (t)
                {
                    case ColumnType.String or ColumnType.Enum:
                        var s = new string?[count];
                        await rg.ReadAsync(f, s.AsMemory());
                        str[c] = s;
                        if (t == ColumnType.Enum) lng[c] = new long[count];
                        for (int i = 0; i < count; i++)
                        {
                            if (s[i] is not { } v) { nul[c][i] = true; continue; }
                            if (t == ColumnType.String) { if (pools[c] is { } pool) s[i] = pool.Get(v, out ids[c][i]); }
                            else if (enums[c]!.TryParse(v, out int ev)) lng[c][i] = ev;
                            else bad[c][i] = true;
                        }
                        break;
                    case ColumnType.Int: lng[c] = await ReadLongs<int>(rg, f, count, nul[c], v => v); break;
                    case ColumnType.Date: lng[c] = await ReadLongs<DateOnly>(rg, f, count, nul[c], v => v.DayNumber); break;
                    case ColumnType.Bool: lng[c] = await ReadLongs<bool>(rg, f, count, nul[c], v => v ? 1 : 0); break;
                    case ColumnType.Decimal: dec[c] = await ReadValues<decimal>(rg, f, count, nul[c]); break;
                    case ColumnType.Double: dbl[c] = await ReadValues<double>(rg, f, count, nul[c]); break;
                }
                }
            }
            return null;
        }

        Task<DataProblem?>? pending = null;
        try
        {
        if (groups > 0 && !sink.Stop) pending = Decode(0, sets[0]);
        for (int g = 0; g < groups; g++)
        {
            if (pending is null) break; // stopped (strict mode: the problems allowed are reached)
            var problem = await pending;
            pending = null;
            if (problem is not null) { sink.FileProblem(problem); return false; }
            var set = sets[g % sets.Length];
            if (g + 1 < groups)
            {
                int next = g + 1;
                pending = Task.Run(() => Decode(next, sets[next % sets.Length]));
            }
            int count = checked((int)(groupStart[g + 1] - groupStart[g]));
            FeedRows(sink, new Origin(schema, b, enums, set.Str), types, count, groupStart[g], set.Nul, set.Str, set.Lng, set.Dec, set.Dbl, set.Bad, set.Ids);
            if (sink.Stop) break; // the next group, decoded ahead, is not read (as when groups were read one by one)
        }
        }
        finally
        {
            // A group decoded ahead still uses the buffers: let it finish before they go back.
            if (pending is not null) { try { await pending; } catch (Exception) { } }
            foreach (var set in sets) set.Return(scratch);
            GiveBack(scratch);
        }
        return true;
    }

    /// <summary>The column arrays of one row group (per schema column; null where a column's type does not use one).</summary>
    sealed class GroupColumns
    {
        public readonly string?[][] Str; public readonly long[][] Lng; public readonly decimal[][] Dec; public readonly double[][] Dbl;
        public readonly bool[][] Nul, Bad; public readonly int[][] Ids;

        public GroupColumns(TableSchema schema, StringPool?[] pools, ReadScratch scratch, int capacity)
        {
            int n = schema.Columns.Count;
            Str = new string?[n][]; Lng = new long[n][]; Dec = new decimal[n][]; Dbl = new double[n][]; Nul = new bool[n][];
            Bad = new bool[n][]; Ids = new int[n][];
            for (int c = 0; c < n; c++)
            {
                var t = schema.Columns[c].Type;
                Nul[c] = scratch.Rent<bool>(capacity);
                if (t == ColumnType.Enum) Bad[c] = scratch.Rent<bool>(capacity);
                if (pools[c] is not null) Ids[c] = scratch.Rent<int>(capacity);
                if (t is ColumnType.String or ColumnType.Enum) Str[c] = scratch.Rent<string?>(capacity);
                if (t is ColumnType.Enum or ColumnType.Int or ColumnType.Date or ColumnType.Bool) Lng[c] = scratch.Rent<long>(capacity);
                if (t == ColumnType.Decimal) Dec[c] = scratch.Rent<decimal>(capacity);
                if (t == ColumnType.Double) Dbl[c] = scratch.Rent<double>(capacity);
            }
        }

        public void Return(ReadScratch scratch)
        {
            for (int c = 0; c < Nul.Length; c++)
            {
                scratch.Return(Str[c]); scratch.Return(Lng[c]); scratch.Return(Dec[c]); scratch.Return(Dbl[c]);
                scratch.Return(Nul[c]); scratch.Return(Bad[c]); scratch.Return(Ids[c]);
            }
        }
    }

    /// <summary>The buffers of one table read: page buffers and column arrays, kept for the next table while a
    /// catalog load shares them (<see cref="ShareBuffers"/>).</summary>
    sealed class ReadScratch
    {
        public readonly PlainChunk Chunk = new();
        public readonly TextScratch Text = new();
        readonly List<Array> own = new();

        /// <summary>The free arrays: while a catalog load shares buffers, one list for all its tables and threads (an array
        /// a table gave back goes to whichever table needs one next, not only to the next table of the same scratch).</summary>
        List<Array> Free => Volatile.Read(ref sharing) > 0 ? sharedFree : own;

        /// <summary>A free array of at least <paramref name="length"/> elements (contents unspecified; the smallest that
        /// fits), or a new one. New value-type arrays are not zeroed (arrays of references always are): a reused array
        /// holds an earlier group's values anyway, so every reader writes a cell before reading it, and zeroing 1M-row
        /// arrays only costs.</summary>
        public TV[] Rent<TV>(int length) => TakeFree<TV>(length) ?? GC.AllocateUninitializedArray<TV>(length);

        /// <summary>The smallest free TV[] of at least <paramref name="length"/> elements, taken off the list, or null.</summary>
        TV[]? TakeFree<TV>(int length)
        {
            var free = Free;
            lock (free)
            {
                int best = -1;
                for (int i = 0; i < free.Count; i++)
                    if (free[i] is TV[] a && a.Length >= length && (best < 0 || a.Length < free[best].Length)) best = i;
                if (best < 0) return null;
                var taken = (TV[])free[best]; free.RemoveAt(best); return taken;
            }
        }

        public void Return(Array? array)
        {
            if (array is null) return;
            var free = Free;
            lock (free) if (!free.Contains(array)) free.Add(array);
        }

        /// <summary>Sizes the chunk buffers for a file's largest chunk (<see cref="ParquetChunkDecoder.Reserve"/>); a buffer
        /// too small goes back to the free arrays and a free one that fits is taken, else a new one with room to spare
        /// (a power of two: never zeroed, so only the bytes a chunk fills are ever touched).</summary>
        public void ReserveChunk(int rawLength, int valuesLength)
        {
            if (Chunk.Raw.Length < rawLength) { Return(Chunk.Raw.Length > 0 ? Chunk.Raw : null); Chunk.Raw = RentBytes(rawLength); }
            if (Chunk.Values.Length < valuesLength) { Return(Chunk.Values.Length > 0 ? Chunk.Values : null); Chunk.Values = RentBytes(valuesLength); }
        }

        byte[] RentBytes(int length)
        {
            if (TakeFree<byte>(length) is { } reused) return reused;
            int size = length <= 1 << 16 ? length : (int)Math.Min(Array.MaxLength, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)length));
            return GC.AllocateUninitializedArray<byte>(size);
        }
    }

    /// <summary>The free arrays of every table read while a catalog load shares buffers (<see cref="ShareBuffers"/>).</summary>
    static readonly List<Array> sharedFree = new();

    /// <summary>The column-array capacity of a table whose largest row group has <paramref name="largest"/> rows while a
    /// catalog load shares buffers: a whole row group (<see cref="RowGroupSize"/>) for a big table, so the arrays of all
    /// big tables are interchangeable; null (its own size) outside a shared load and for small tables.</summary>
    static int? SharedCapacity(int largest) =>
        Volatile.Read(ref sharing) > 0 && largest >= RowGroupSize / 8 && largest < RowGroupSize ? RowGroupSize : null;

    static readonly Stack<ReadScratch> sharedScratch = new();
    static int sharing;

    static ReadScratch TakeScratch() { lock (sharedScratch) return sharedScratch.Count > 0 ? sharedScratch.Pop() : new ReadScratch(); }

    static void GiveBack(ReadScratch scratch) { lock (sharedScratch) if (sharing > 0) sharedScratch.Push(scratch); }

    /// <summary>While the returned scope is open, tables read one after another reuse each other's buffers (a catalog
    /// load: tens of MB of column arrays per table, faulted in and zeroed once instead of per table). The buffers
    /// are dropped when the last scope closes, so nothing stays cached after a load.</summary>
    internal static IDisposable ShareBuffers()
    {
        lock (sharedScratch) sharing++;
        return new SharingScope();
    }

    sealed class SharingScope : IDisposable
    {
        int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) != 0) return;
            lock (sharedScratch) { if (--sharing == 0) { sharedScratch.Clear(); lock (sharedFree) sharedFree.Clear(); } }
        }
    }

    /// <summary>The texts of a string column on the given 1-based row numbers (ascending), read again from the file with a
    /// reader of its own (the load's reader may be decoding the next row group meanwhile). The file's chunks of those rows
    /// were read and checked once already, so their texts are the ones the load saw.</summary>
    static IEnumerable<string> ReplayTexts(string path, DataField field, long[] groupStart, IReadOnlyList<long> lines)
    {
        var reader = ParquetReader.CreateAsync(path, Options).GetAwaiter().GetResult();
        try
        {
            int k = 0;
            for (int g = 0; g + 1 < groupStart.Length && k < lines.Count; g++)
            {
                if (lines[k] > groupStart[g + 1]) continue;
                using var rg = reader.OpenRowGroupReader(g);
                var texts = new string?[checked((int)(groupStart[g + 1] - groupStart[g]))];
                rg.ReadAsync(field, texts.AsMemory()).GetAwaiter().GetResult();
                for (; k < lines.Count && lines[k] <= groupStart[g + 1]; k++)
                    yield return texts[lines[k] - groupStart[g] - 1] ?? throw new InvalidOperationException($"No key on row {lines[k]} of {path}.");
            }
        }
        finally { reader.DisposeAsync().AsTask().GetAwaiter().GetResult(); }
    }

    /// <summary>Hands one row group's rows to the sink (outside the async method, so the loop is a plain method the JIT
    /// optimizes like any other).</summary>
    static void FeedRows<T>(RowSink<T> sink, Origin origin, ColumnType[] types, int count, long rowBase, bool[][] nul, string?[][] str,
        long[][] lng, decimal[][] dec, double[][] dbl, bool[][] bad, int[][] ids)
    {
        var b = sink.Buffer;
        int n = types.Length;
        for (int i = 0; i < count && !sink.Stop; i++)
        {
            sink.BeginRow();
            origin.Row = i;
            for (int c = 0; c < n; c++)
            {
                if (nul[c][i]) { b.IsNull[c] = true; continue; }
                switch (types[c])
                {
                    case ColumnType.String: b.Str[c] = str[c][i]; if (ids[c] is { } id) b.Id[c] = id[i]; break;
                    case ColumnType.Enum:
                        if (bad[c][i]) sink.ParseFailed(c, str[c][i]!); else b.Long[c] = lng[c][i];
                        break;
                    case ColumnType.Int or ColumnType.Date or ColumnType.Bool: b.Long[c] = lng[c][i]; break;
                    case ColumnType.Decimal: b.Dec[c] = dec[c][i]; break;
                    case ColumnType.Double: b.Dbl[c] = dbl[c][i]; break;
                }
            }
            sink.EndRow(rowBase + i + 1, origin);
        }
    }

    /// <summary>Reusable char buffer for turning UTF-8 cells into pooled strings without an intermediate string.</summary>
    sealed class TextScratch { public char[] Chars = new char[256]; }

    static TV[] Sized<TV>(ref TV[] array, int capacity) => array is not null && array.Length >= capacity ? array : array = new TV[capacity];

    /// <summary>Test hook: true makes reads use Parquet.Net for every column (the reference the direct decoder must match).
    /// Flows with the execution context, so it holds for the load's worker threads and nowhere else.</summary>
    internal static readonly AsyncLocal<bool> ParquetNetOnly = new();

    /// <summary>Column chunks read by the direct decoder so far in this process (lets tests see it was used).</summary>
    internal static long DirectChunks;

    /// <summary>Parquet strings are UTF-8 by definition: an invalid sequence is a located problem of the chunk, not U+FFFD.</summary>
    static readonly System.Text.UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    static readonly int UnixEpochDay = new DateOnly(1970, 1, 1).DayNumber;

    /// <summary>Reads one column of a row group with <see cref="ParquetChunkDecoder"/>; false (and nothing used) when
    /// the chunk is not in the plain layout it decodes, so the caller falls back to Parquet.Net.</summary>
    static bool TryReadFast(ParquetRowGroupReader rg, DataField f, ColumnType type, int count, int rawLength,
        PlainChunk chunk, bool[] isNull, StringPool? pool, int[]? ids, EnumText? enumText, TextScratch text,
        ref string?[] str, ref long[] lng, ref decimal[] dec, ref double[] dbl, bool[]? bad)
    {
        if (ParquetNetOnly.Value) return false;
        Parquet.Meta.ColumnChunk? cc = null;
        foreach (var col in rg.RowGroup.Columns)
            if (col.MetaData?.PathInSchema is { Count: 1 } p && p[0] == f.Name) { cc = col; break; }
        if (cc?.MetaData is not { } md) return false;
        var want = type switch
        {
            ColumnType.String or ColumnType.Enum => Parquet.Meta.Type.BYTE_ARRAY,
            ColumnType.Int or ColumnType.Date => Parquet.Meta.Type.INT32,
            ColumnType.Decimal => Parquet.Meta.Type.INT64,
            ColumnType.Double => Parquet.Meta.Type.DOUBLE,
            _ => Parquet.Meta.Type.BOOLEAN,
        };
        if (md.Type != want || md.NumValues != count) return false;
        int scale = 0;
        if (type == ColumnType.Decimal)
        {
            if (f is not DecimalDataField df || df.Scale < 0 || df.Scale > 18) return false;
            scale = df.Scale;
        }
        chunk.IsNull = isNull;
        if (!ParquetChunkDecoder.TryDecode(cc, rawLength, count, f.IsNullable, chunk)) { Array.Clear(isNull); return false; }
        Interlocked.Increment(ref DirectChunks);
        var v = chunk.Values.AsSpan(0, chunk.ValueBytes);
        int width = type switch { ColumnType.Int or ColumnType.Date => 4, ColumnType.Decimal or ColumnType.Double => 8, _ => 0 };
        if (width > 0 && v.Length < chunk.NonNull * width) { Array.Clear(isNull); return false; }
        int k = 0;
        switch (type)
        {
            case ColumnType.String or ColumnType.Enum:
            {
                var s = Sized(ref str, count);
                long[]? ev = type == ColumnType.Enum ? Sized(ref lng, count) : null;
                int pos = 0;
                for (int i = 0; i < count; i++)
                {
                    if (isNull[i]) { s[i] = null; continue; } // the arrays are reused: a null cell must not show the text of an earlier group
                    if (pos + 4 > v.Length) { Array.Clear(isNull); return false; }
                    int len = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(v[pos..]);
                    if (len < 0 || pos + 4 + len > v.Length) { Array.Clear(isNull); return false; }
                    var bytes = v.Slice(pos + 4, len);
                    pos += 4 + len;
                    if (pool is null && ev is null) { s[i] = StrictUtf8.GetString(bytes); continue; }
                    if (text.Chars.Length < len) text.Chars = new char[Math.Max(len, text.Chars.Length * 2)];
                    int nc = StrictUtf8.GetChars(bytes, text.Chars);
                    var chars = text.Chars.AsSpan(0, nc);
                    if (ev is null) s[i] = pool!.Get(chars, out ids![i]);
                    else if (enumText!.TryParse(chars, out int e)) { ev[i] = e; s[i] = enumText.Name(e); }
                    else { s[i] = chars.ToString(); bad![i] = true; }
                }
                return true;
            }
            case ColumnType.Int:
            {
                var a = Sized(ref lng, count);
                for (int i = 0; i < count; i++) if (!isNull[i]) a[i] = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(v.Slice(4 * k++));
                return true;
            }
            case ColumnType.Date:
            {
                var a = Sized(ref lng, count);
                for (int i = 0; i < count; i++)
                {
                    if (isNull[i]) continue;
                    long day = (long)System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(v.Slice(4 * k++)) + UnixEpochDay;
                    if (day < DateOnly.MinValue.DayNumber || day > DateOnly.MaxValue.DayNumber) { Array.Clear(isNull); return false; }
                    a[i] = day;
                }
                return true;
            }
            case ColumnType.Decimal:
            {
                var a = Sized(ref dec, count);
                for (int i = 0; i < count; i++)
                {
                    if (isNull[i]) continue;
                    long raw = System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(v.Slice(8 * k++));
                    ulong mag = raw < 0 ? (ulong)(-(raw + 1)) + 1 : (ulong)raw;
                    a[i] = new decimal((int)(uint)mag, (int)(uint)(mag >> 32), 0, raw < 0, (byte)scale);
                }
                return true;
            }
            case ColumnType.Double:
            {
                var a = Sized(ref dbl, count);
                for (int i = 0; i < count; i++) if (!isNull[i]) a[i] = System.Buffers.Binary.BinaryPrimitives.ReadDoubleLittleEndian(v.Slice(8 * k++));
                return true;
            }
            default:
            {
                if (f.IsNullable || v.Length * 8 < count) { Array.Clear(isNull); return false; }
                var a = Sized(ref lng, count);
                for (int i = 0; i < count; i++) a[i] = (v[i >> 3] >> (i & 7)) & 1;
                return true;
            }
        }
    }

    static async Task<long[]> ReadLongs<TV>(ParquetRowGroupReader rg, DataField f, int count, bool[] isNull, Func<TV, long> convert) where TV : struct
    {
        var result = new long[count];
        if (f.IsNullable)
        {
            var a = new TV?[count];
            await rg.ReadAsync<TV>(f, a.AsMemory());
            for (int i = 0; i < count; i++) { if (a[i] is { } v) result[i] = convert(v); else isNull[i] = true; }
        }
        else
        {
            var a = new TV[count];
            await rg.ReadAsync<TV>(f, a.AsMemory());
            for (int i = 0; i < count; i++) result[i] = convert(a[i]);
        }
        return result;
    }

    static async Task<TV[]> ReadValues<TV>(ParquetRowGroupReader rg, DataField f, int count, bool[] isNull) where TV : struct
    {
        if (!f.IsNullable)
        {
            var a = new TV[count];
            await rg.ReadAsync<TV>(f, a.AsMemory());
            return a;
        }
        var na = new TV?[count];
        await rg.ReadAsync<TV>(f, na.AsMemory());
        var result = new TV[count];
        for (int i = 0; i < count; i++) { if (na[i] is { } v) result[i] = v; else isNull[i] = true; }
        return result;
    }
}
