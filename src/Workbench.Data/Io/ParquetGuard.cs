using System.Buffers.Binary;
using Parquet.Meta;

namespace Workbench.Data.Io;

/// <summary>Checks every length a Parquet file states before anything trusts it, so a bit-flipped or truncated file
/// is a located problem instead of a crash or a huge allocation: the magic bytes, the footer length, the footer's
/// Thrift structure (every string, list and map length inside the footer), and per row group the column chunks'
/// places, sizes and value counts. Both readers (the direct decoder and the Parquet.Net fallback) run only behind
/// these checks.</summary>
internal static class ParquetGuard
{
    /// <summary>Where one column chunk's bytes are: start offset, length and codec (already checked to lie in the file).</summary>
    internal readonly record struct ChunkPlace(long Start, int Length, CompressionCodec Codec, long UncompressedLength = 0);

    /// <summary>At most this many rows per byte of uncompressed column data in a row group (the widest column needs at
    /// least one bit per row once any column holds distinct values; a larger claim is a corrupt count).</summary>
    internal const long MaxRowsPerByte = 8;

    /// <summary>Null when the file has Parquet's framing (PAR1 at both ends, a footer that fits in the file and parses
    /// as a well-formed Thrift structure whose lengths stay inside the footer), else what is wrong, with the byte offset.</summary>
    public static string? CheckFile(string path, long fileLength)
    {
        if (fileLength < 12) return $"at least 12 bytes (PAR1, footer length, PAR1); the file has {fileLength}";
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        Span<byte> head = stackalloc byte[4];
        Span<byte> tail = stackalloc byte[8];
        if (RandomAccess.Read(handle, head, 0) != 4 || RandomAccess.Read(handle, tail, fileLength - 8) != 8)
            return "a file that can be read to its end";
        if (!head.SequenceEqual("PAR1"u8)) return "the magic bytes PAR1 at byte offset 0 (this is not a Parquet file)";
        if (!tail[4..].SequenceEqual("PAR1"u8)) return $"the magic bytes PAR1 at byte offset {fileLength - 4} (the file is truncated or not Parquet)";
        long footerLength = BinaryPrimitives.ReadInt32LittleEndian(tail);
        if (footerLength <= 0 || footerLength > fileLength - 12)
            return $"a footer length between 1 and {fileLength - 12} bytes at byte offset {fileLength - 8}, got {footerLength}";
        var footer = new byte[footerLength];
        long footerStart = fileLength - 8 - footerLength;
        int got = 0;
        while (got < footer.Length)
        {
            int k = RandomAccess.Read(handle, footer.AsSpan(got), footerStart + got);
            if (k <= 0) return "a footer that can be read";
            got += k;
        }
        int p = 0;
        try { new ThriftWalker(footer).Struct(ref p, 0); }
        catch (InvalidDataException ex) { return $"a well-formed footer at byte offset {footerStart + p}: {ex.Message}"; }
        return null;
    }

    /// <summary>Checks one row group's metadata for the columns read; fills <paramref name="places"/> (one per column)
    /// or returns the problem (with the column it concerns, when it concerns one).</summary>
    public static (string? Column, string Why)? CheckRowGroup(RowGroup group, int index, string[] columns, long fileLength, ChunkPlace[] places)
    {
        long rows = group.NumRows;
        if (rows < 0 || rows > int.MaxValue)
            return (null, $"a row count between 0 and {int.MaxValue} in row group {index}, got {rows}");
        long uncompressed = 0;
        for (int c = 0; c < columns.Length; c++)
        {
            ColumnChunk? cc = null;
            foreach (var col in group.Columns)
                if (col.MetaData?.PathInSchema is { Count: 1 } p && p[0] == columns[c]) { cc = col; break; }
            string where = $"row group {index}";
            if (cc?.MetaData is not { } md) return (columns[c], $"column metadata for the column in {where}");
            if (md.NumValues != rows)
                return (columns[c], $"{rows} values (the row count of {where}) in the column chunk, the metadata says {md.NumValues}");
            long start = md.DataPageOffset;
            if (md.DictionaryPageOffset is long dict && dict > 0)
            {
                if (dict < 4 || dict >= fileLength) return (columns[c], $"a dictionary page offset inside the file in {where}, got {dict}");
                if (dict < start) start = dict;
            }
            long size = md.TotalCompressedSize;
            if (start < 4 || size <= 0 || size > int.MaxValue || start + size > fileLength - 8)
                return (columns[c], $"a column chunk inside the file's {fileLength} bytes in {where}, the metadata says {size} bytes at byte offset {start}");
            long bound = size * ParquetChunkDecoder.MaxExpansion(md.Codec) + ParquetChunkDecoder.ExpansionSlack;
            if (md.TotalUncompressedSize < 0 || md.TotalUncompressedSize > bound)
                return (columns[c], $"an uncompressed size within {ParquetChunkDecoder.MaxExpansion(md.Codec)}x the compressed one in {where} (byte offset {start}), the metadata says {md.TotalUncompressedSize} from {size}");
            uncompressed += md.TotalUncompressedSize;
            places[c] = new ChunkPlace(start, (int)size, md.Codec, md.TotalUncompressedSize);
        }
        if (rows > uncompressed * MaxRowsPerByte + 1024)
            return (null, $"at most {MaxRowsPerByte} rows per byte of column data in row group {index}, it claims {rows} rows in {uncompressed} bytes");
        return null;
    }

    /// <summary>Walks Thrift compact protocol without building anything: checks that every length fits in what is left.</summary>
    ref struct ThriftWalker(byte[] buf)
    {
        readonly byte[] buf = buf;

        byte Next(ref int p)
        {
            if ((uint)p >= (uint)buf.Length) throw new InvalidDataException("the structure runs past the end of the footer");
            return buf[p++];
        }

        ulong Varint(ref int p)
        {
            ulong v = 0; int shift = 0;
            while (true)
            {
                byte b = Next(ref p);
                v |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0) return v;
                shift += 7;
                if (shift > 63) throw new InvalidDataException("a varint longer than 10 bytes");
            }
        }

        void Advance(ref int p, long count)
        {
            if (count < 0 || count > buf.Length - p) throw new InvalidDataException($"a length of {count} bytes where {buf.Length - p} remain");
            p += (int)count;
        }

        public void Struct(ref int p, int depth)
        {
            if (depth > 64) throw new InvalidDataException("structures nested more than 64 levels deep");
            while (true)
            {
                byte fh = Next(ref p);
                if (fh == 0) return;
                int ft = fh & 0x0F;
                if ((fh >> 4) == 0) Varint(ref p);
                Value(ref p, ft, depth);
            }
        }

        void Value(ref int p, int type, int depth)
        {
            switch (type)
            {
                case 1 or 2: break;
                case 3: Advance(ref p, 1); break;
                case 4 or 5 or 6: Varint(ref p); break;
                case 7: Advance(ref p, 8); break;
                case 8: { ulong len = Varint(ref p); Advance(ref p, len > int.MaxValue ? -1 : (long)len); break; }
                case 9 or 10:
                {
                    byte lh = Next(ref p);
                    long size = lh >> 4; int et = lh & 0x0F;
                    if (size == 15) { ulong s = Varint(ref p); size = s > int.MaxValue ? -1 : (long)s; }
                    if (size < 0 || size > buf.Length - p) throw new InvalidDataException($"a list of {size} elements where {buf.Length - p} bytes remain");
                    for (long i = 0; i < size; i++) { if (et is 1 or 2) Advance(ref p, 1); else Value(ref p, et, depth + 1); }
                    break;
                }
                case 11:
                {
                    ulong s = Varint(ref p);
                    if (s == 0) break;
                    if (s > (ulong)(buf.Length - p)) throw new InvalidDataException($"a map of {s} entries where {buf.Length - p} bytes remain");
                    byte kv = Next(ref p);
                    int kt = kv >> 4, vt = kv & 0x0F;
                    for (ulong i = 0; i < s; i++)
                    {
                        if (kt is 1 or 2) Advance(ref p, 1); else Value(ref p, kt, depth + 1);
                        if (vt is 1 or 2) Advance(ref p, 1); else Value(ref p, vt, depth + 1);
                    }
                    break;
                }
                case 12: Struct(ref p, depth + 1); break;
                default: throw new InvalidDataException($"an unknown Thrift type {type}");
            }
        }
    }
}
