using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using Parquet.Meta;

namespace Workbench.Data.Io;

/// <summary>One column chunk of a flat Parquet column decoded to its PLAIN value bytes: which rows are null and
/// the non-null values back to back, exactly as PLAIN encoding lays them out (little-endian fixed-width values, or
/// 4-byte length + UTF-8 bytes for BYTE_ARRAY).</summary>
internal sealed class PlainChunk
{
    public bool[] IsNull = [];
    public byte[] Values = [];
    public int ValueBytes;
    public int NonNull;
    // Reused from chunk to chunk: the compressed bytes (pages are decompressed straight into Values).
    public byte[] Raw = [];
}

/// <summary>A direct decoder for the column chunks this library writes (flat columns, PLAIN values, RLE definition
/// levels, Snappy or no compression, data pages v1 or v2). Parquet.Net materializes a string per cell and costs
/// ~200 ns per text cell; this reads the page bytes once. Anything else (dictionary pages, other codecs or
/// encodings, nested columns) returns false and the caller falls back to Parquet.Net, so foreign files still load.</summary>
internal static class ParquetChunkDecoder
{
    // PageType and Encoding values from parquet.thrift.
    const int DataPage = 0, IndexPage = 1, DictionaryPage = 2, DataPageV2 = 3;
    const int PlainEncoding = 0, RleEncoding = 3;

    /// <summary>Largest uncompressed/compressed size ratio accepted for a page or chunk, by codec (Snappy cannot expand
    /// more than ~22x; gzip ~1032x; the rest get a generous cap). A larger claim is a corrupt length, refused before any
    /// buffer of that size is allocated.</summary>
    internal static long MaxExpansion(CompressionCodec codec) => codec switch
    {
        CompressionCodec.UNCOMPRESSED => 1,
        CompressionCodec.SNAPPY => 32,
        CompressionCodec.GZIP => 1100,
        _ => 4096,
    };

    /// <summary>Slack added to every expansion bound (headers, tiny pages).</summary>
    internal const long ExpansionSlack = 64 * 1024;

    /// <summary>Room in <see cref="PlainChunk.Values"/> for a chunk of <paramref name="length"/> compressed bytes that the
    /// metadata says are <paramref name="uncompressed"/> bytes uncompressed (never more than the codec can expand to).</summary>
    internal static int ValuesCapacity(long uncompressed, int length, CompressionCodec codec) =>
        (int)Math.Min(int.MaxValue / 2, Math.Max(16, Math.Min(uncompressed, (long)length * MaxExpansion(codec) + ExpansionSlack)));

    /// <summary>Sizes the chunk's buffers once for the largest chunk of a file (compressed bytes, values room), so a
    /// table's chunks do not grow them step by step: every step is a fresh large array, zeroed and faulted in for
    /// nothing. The buffers are allocated without zeroing: every byte read is written first.</summary>
    public static void Reserve(PlainChunk into, int rawLength, int valuesLength)
    {
        if (into.Raw.Length < rawLength) into.Raw = GC.AllocateUninitializedArray<byte>(rawLength);
        if (into.Values.Length < valuesLength) into.Values = GC.AllocateUninitializedArray<byte>(valuesLength);
    }

    /// <summary>Reads a column chunk's bytes (already checked to lie inside the file) into <see cref="PlainChunk.Raw"/>;
    /// false when the file ends early.</summary>
    public static bool ReadRaw(SafeFileHandle file, long start, int length, PlainChunk into)
    {
        if (into.Raw.Length < length) into.Raw = GC.AllocateUninitializedArray<byte>(length);
        var raw = into.Raw.AsSpan(0, length);
        int got = 0;
        while (got < raw.Length)
        {
            int n = RandomAccess.Read(file, raw[got..], start + got);
            if (n <= 0) return false;
            got += n;
        }
        return true;
    }

    /// <summary>Walks the page headers of a chunk whose bytes are in <see cref="PlainChunk.Raw"/> and checks every length
    /// before anything trusts it: page sizes inside the chunk, uncompressed sizes within the codec's expansion bound,
    /// value counts adding up to the row count. Null when sound, else what is wrong and the byte offset (relative to
    /// the chunk start) where it was found.</summary>
    public static (string Why, long Offset)? CheckPages(PlainChunk chunk, int length, long rows, CompressionCodec codec)
    {
        var raw = chunk.Raw;
        int pos = 0;
        long values = 0;
        long expansion = MaxExpansion(codec);
        while (pos < length)
        {
            int at = pos;
            PageInfo h;
            try { h = PageHeaderReader.Read(raw, ref pos, length); }
            catch (Exception ex) when (ex is IndexOutOfRangeException or InvalidDataException or OverflowException or ArgumentException)
            { return ("a readable page header: " + ex.Message, at); }
            if (h.CompressedSize < 0 || h.UncompressedSize < 0 || pos + (long)h.CompressedSize > length)
                return ($"a page size inside the column chunk (page of {h.CompressedSize} bytes at {at}, chunk of {length})", at);
            if (h.UncompressedSize > h.CompressedSize * expansion + ExpansionSlack)
                return ($"an uncompressed page size within {expansion}x its compressed size ({h.UncompressedSize} from {h.CompressedSize})", at);
            pos += h.CompressedSize;
            if (h.Type is DataPage or DataPageV2)
            {
                if (h.NumValues < 0) return ($"a non-negative value count, got {h.NumValues}", at);
                values += h.NumValues;
                if (values > rows) return ($"at most {rows} values in the chunk (the row group's row count), pages claim {values}", at);
            }
            else if (h.Type == DictionaryPage && h.NumValues < 0) return ($"a non-negative dictionary size, got {h.NumValues}", at);
            if (values == rows && h.Type is DataPage or DataPageV2) break;
        }
        if (values != rows) return ($"{rows} values in the chunk (the row group's row count), pages hold {values}", pos);
        return null;
    }

    /// <summary>Decodes a chunk whose bytes <see cref="ReadRaw"/> loaded and <see cref="CheckPages"/> accepted.</summary>
    public static bool TryDecode(ColumnChunk chunk, int length, int rows, bool nullable, PlainChunk into)
    {
        var md = chunk.MetaData;
        if (md is null || chunk.CryptoMetadata is not null || md.PathInSchema.Count != 1) return false;
        if (md.Codec != CompressionCodec.SNAPPY && md.Codec != CompressionCodec.UNCOMPRESSED) return false;
        if (md.DictionaryPageOffset is long dict && dict > 0 && dict < md.DataPageOffset) return false;
        var raw = into.Raw.AsSpan(0, length);
        bool snappy = md.Codec == CompressionCodec.SNAPPY;
        if (into.IsNull.Length < rows) into.IsNull = new bool[rows];
        int valuesCap = ValuesCapacity(md.TotalUncompressedSize, length, md.Codec);
        if (into.Values.Length < valuesCap) into.Values = GC.AllocateUninitializedArray<byte>(valuesCap);
        into.ValueBytes = 0; into.NonNull = 0;
        var rawArray = into.Raw;
        int pos = 0, row = 0;
        try
        {
            while (row < rows && pos < raw.Length)
            {
                var h = PageHeaderReader.Read(rawArray, ref pos, length);
                if (h.CompressedSize < 0 || pos + h.CompressedSize > raw.Length) return false;
                var body = raw.Slice(pos, h.CompressedSize);
                pos += h.CompressedSize;
                if (h.Type == IndexPage) continue;
                if (h.Type == DictionaryPage) return false;
                if (h.Encoding != PlainEncoding || h.NumValues < 0 || row + h.NumValues > rows) return false;
                ReadOnlySpan<byte> levels, values;
                if (h.Type == DataPage)
                {
                    ReadOnlySpan<byte> page = body;
                    if (snappy)
                    {
                        // Straight into the values buffer at its end: the values are then already in place (no page
                        // buffer, no copy), or moved down over the definition levels of a nullable column.
                        int size = DecompressAtEnd(body, h.UncompressedSize, into);
                        if (size < 0) return false;
                        page = into.Values.AsSpan(into.ValueBytes, size);
                    }
                    if (nullable)
                    {
                        if (h.DefinitionEncoding != RleEncoding || page.Length < 4) return false;
                        int len = BinaryPrimitives.ReadInt32LittleEndian(page);
                        if (len < 0 || 4 + len > page.Length) return false;
                        levels = page.Slice(4, len);
                        values = page[(4 + len)..];
                    }
                    else { levels = default; values = page; }
                }
                else if (h.Type == DataPageV2)
                {
                    if (h.RepetitionLength != 0 || h.DefinitionLength < 0 || h.DefinitionLength > body.Length) return false;
                    levels = body[..h.DefinitionLength];
                    var rest = body[h.DefinitionLength..];
                    values = rest;
                    if (snappy && h.IsCompressed)
                    {
                        int size = DecompressAtEnd(rest, h.UncompressedSize - h.DefinitionLength, into);
                        if (size < 0) return false;
                        values = into.Values.AsSpan(into.ValueBytes, size);
                    }
                }
                else return false;

                int nonNull = h.NumValues;
                if (nullable)
                {
                    nonNull = DecodeLevels(levels, into.IsNull.AsSpan(row, h.NumValues));
                    if (nonNull < 0) return false;
                }
                if (into.ValueBytes + values.Length > into.Values.Length)
                    Array.Resize(ref into.Values, Math.Max(into.Values.Length * 2, into.ValueBytes + values.Length));
                // A page decompressed in place may already start at ValueBytes; otherwise a move (the spans may overlap:
                // CopyTo handles that).
                var target = into.Values.AsSpan(into.ValueBytes, values.Length);
                if (!System.Runtime.CompilerServices.Unsafe.AreSame(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(values),
                        ref System.Runtime.InteropServices.MemoryMarshal.GetReference(target)))
                    values.CopyTo(target);
                into.ValueBytes += values.Length;
                into.NonNull += nonNull;
                row += h.NumValues;
            }
        }
        catch (Exception ex) when (ex is IndexOutOfRangeException or ArgumentException or InvalidDataException or OverflowException)
        {
            return false;
        }
        return row == rows;
    }

    /// <summary>Snappy-decompresses a page into <see cref="PlainChunk.Values"/> after its <see cref="PlainChunk.ValueBytes"/>
    /// (grown, keeping what is there, when the page does not fit); its length, or -1 when it is not the size announced.</summary>
    static int DecompressAtEnd(ReadOnlySpan<byte> body, int size, PlainChunk into)
    {
        if (size < 0) return -1;
        if ((long)into.ValueBytes + size > into.Values.Length)
        {
            var grown = GC.AllocateUninitializedArray<byte>((int)Math.Min(int.MaxValue, Math.Max((long)into.Values.Length * 2, (long)into.ValueBytes + size)));
            into.Values.AsSpan(0, into.ValueBytes).CopyTo(grown);
            into.Values = grown;
        }
        if (!Snappier.Snappy.TryDecompress(body, into.Values.AsSpan(into.ValueBytes, size), out int n) || n != size) return -1;
        return n;
    }

    /// <summary>RLE/bit-packed hybrid definition levels with bit width 1 (max level 1): sets isNull where the level is 0.
    /// Returns the count of defined values, or -1 on malformed input.</summary>
    static int DecodeLevels(ReadOnlySpan<byte> src, Span<bool> isNull)
    {
        int p = 0, i = 0, defined = 0;
        while (i < isNull.Length)
        {
            if (p >= src.Length) return -1;
            uint header = ReadVarint(src, ref p);
            if ((header & 1) == 0)
            {
                int run = (int)(header >> 1);
                if (p >= src.Length) return -1;
                bool isDefined = (src[p++] & 1) != 0;
                int take = Math.Min(run, isNull.Length - i);
                isNull.Slice(i, take).Fill(!isDefined);
                if (isDefined) defined += take;
                i += take;
            }
            else
            {
                int groups = (int)(header >> 1);
                for (int g = 0; g < groups; g++)
                {
                    if (p >= src.Length) return -1;
                    int bits = src[p++];
                    for (int k = 0; k < 8 && i < isNull.Length; k++, i++)
                    {
                        bool d = ((bits >> k) & 1) != 0;
                        isNull[i] = !d;
                        if (d) defined++;
                    }
                }
            }
        }
        return defined;
    }

    internal static uint ReadVarint(ReadOnlySpan<byte> s, ref int p)
    {
        uint v = 0; int shift = 0;
        while (true)
        {
            byte b = s[p++];
            v |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return v;
            shift += 7;
            if (shift > 28) throw new InvalidDataException("varint too long");
        }
    }

    /// <summary>The fields of a page header that matter here, read from Thrift compact protocol.</summary>
    internal readonly record struct PageInfo(int Type, int UncompressedSize, int CompressedSize, int NumValues, int Encoding,
        int DefinitionEncoding, int DefinitionLength, int RepetitionLength, bool IsCompressed);

    static class PageHeaderReader
    {
        /// <summary>Reads one page header from <paramref name="buf"/> at <paramref name="p"/>, never past <paramref name="end"/>
        /// (throws <see cref="InvalidDataException"/> when the header runs past it).</summary>
        public static PageInfo Read(byte[] buf, ref int p, int end)
        {
            limit = Math.Min(end, buf.Length);
            return Read(buf, ref p);
        }

        [ThreadStatic] static int limit;

        static byte At(byte[] buf, ref int p)
        {
            if ((uint)p >= (uint)limit) throw new InvalidDataException($"page header runs past the end of the column chunk (byte {p})");
            return buf[p++];
        }

        static uint Varint(byte[] buf, ref int p)
        {
            uint v = 0; int shift = 0;
            while (true)
            {
                byte b = At(buf, ref p);
                v |= (uint)(b & 0x7F) << shift;
                if ((b & 0x80) == 0) return v;
                shift += 7;
                if (shift > 28) throw new InvalidDataException("varint too long");
            }
        }

        static PageInfo Read(byte[] buf, ref int p)
        {
            int type = -1, usize = -1, csize = -1, numValues = -1, enc = -1, defEnc = -1, defLen = 0, repLen = 0;
            bool compressed = true;
            ReadStruct(buf, ref p, (short id, int ft, byte[] b, ref int q) =>
            {
                switch (id)
                {
                    case 1 when ft == 5: type = ReadI32(b, ref q); return true;
                    case 2 when ft == 5: usize = ReadI32(b, ref q); return true;
                    case 3 when ft == 5: csize = ReadI32(b, ref q); return true;
                    case 5 when ft == 12: // data_page_header
                        ReadStruct(b, ref q, (short fid, int t, byte[] bb, ref int qq) =>
                        {
                            switch (fid)
                            {
                                case 1 when t == 5: numValues = ReadI32(bb, ref qq); return true;
                                case 2 when t == 5: enc = ReadI32(bb, ref qq); return true;
                                case 3 when t == 5: defEnc = ReadI32(bb, ref qq); return true;
                                default: return false;
                            }
                        });
                        return true;
                    case 8 when ft == 12: // data_page_header_v2
                        ReadStruct(b, ref q, (short fid, int t, byte[] bb, ref int qq) =>
                        {
                            switch (fid)
                            {
                                case 1 when t == 5: numValues = ReadI32(bb, ref qq); return true;
                                case 4 when t == 5: enc = ReadI32(bb, ref qq); return true;
                                case 5 when t == 5: defLen = ReadI32(bb, ref qq); return true;
                                case 6 when t == 5: repLen = ReadI32(bb, ref qq); return true;
                                case 7 when t is 1 or 2: compressed = t == 1; return true;
                                default: return false;
                            }
                        });
                        return true;
                    default: return false;
                }
            });
            return new PageInfo(type, usize, csize, numValues, enc, defEnc, defLen, repLen, compressed);
        }

        delegate bool FieldReader(short id, int type, byte[] buf, ref int p);

        static void ReadStruct(byte[] buf, ref int p, FieldReader read)
        {
            short last = 0;
            while (true)
            {
                byte fh = At(buf, ref p);
                if (fh == 0) return;
                int ft = fh & 0x0F;
                short id = (fh >> 4) is var d && d != 0 ? (short)(last + d) : (short)ZigZag(Varint(buf, ref p));
                last = id;
                if (!read(id, ft, buf, ref p)) Skip(buf, ref p, ft);
            }
        }

        static int ZigZag(uint v) => (int)(v >> 1) ^ -(int)(v & 1);

        static int ReadI32(byte[] buf, ref int p) => ZigZag(Varint(buf, ref p));

        static void SkipVarint(byte[] buf, ref int p) { while ((At(buf, ref p) & 0x80) != 0) { } }

        [ThreadStatic] static int depth;

        static void Skip(byte[] buf, ref int p, int type)
        {
            if (++depth > 64) { depth = 0; throw new InvalidDataException("page header nested more than 64 levels deep"); }
            try { SkipValue(buf, ref p, type); }
            finally { if (depth > 0) depth--; }
        }

        static void SkipValue(byte[] buf, ref int p, int type)
        {
            switch (type)
            {
                case 1 or 2: break; // bool field: value is in the type
                case 3: p++; break;
                case 4 or 5 or 6: SkipVarint(buf, ref p); break;
                case 7: p += 8; if (p > limit) throw new InvalidDataException("page header runs past the end of the column chunk"); break;
                case 8: { int len = (int)Varint(buf, ref p); if (len < 0 || len > limit - p) throw new InvalidDataException("page header string runs past the end of the column chunk"); p += len; break; }
                case 9 or 10:
                {
                    byte lh = At(buf, ref p);
                    int size = lh >> 4, et = lh & 0x0F;
                    if (size == 15) size = (int)Varint(buf, ref p);
                    if (size < 0 || size > limit - p) throw new InvalidDataException($"page header list of {size} elements runs past the end of the column chunk");
                    for (int i = 0; i < size; i++) { if (et is 1 or 2) p++; else Skip(buf, ref p, et); }
                    break;
                }
                case 11:
                {
                    int size = (int)Varint(buf, ref p);
                    if (size == 0) break;
                    if (size < 0 || size > limit - p) throw new InvalidDataException($"page header map of {size} entries runs past the end of the column chunk");
                    byte kv = At(buf, ref p);
                    int kt = kv >> 4, vt = kv & 0x0F;
                    for (int i = 0; i < size; i++)
                    {
                        if (kt is 1 or 2) p++; else Skip(buf, ref p, kt);
                        if (vt is 1 or 2) p++; else Skip(buf, ref p, vt);
                    }
                    break;
                }
                case 12:
                {
                    short last = 0;
                    while (true)
                    {
                        byte fh = At(buf, ref p);
                        if (fh == 0) break;
                        int ft = fh & 0x0F;
                        short id = (fh >> 4) is var d && d != 0 ? (short)(last + d) : (short)ZigZag(Varint(buf, ref p));
                        last = id;
                        Skip(buf, ref p, ft);
                    }
                    break;
                }
                default: throw new InvalidDataException($"unknown thrift type {type}");
            }
        }
    }
}
