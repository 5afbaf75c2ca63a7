using System.Buffers.Binary;
using System.IO.Compression;

namespace Workbench.Notebooks;

/// <summary>Makes a browser's chart PNG smaller without changing a pixel: an 8-bit RGBA image whose alpha is opaque
/// everywhere becomes RGB, each row gets the filter (none, sub, up, average, paeth) with the smallest sum of absolute
/// differences, and the data is deflated at the smallest size. Chromium encodes canvases for speed; this saves about a
/// third of the bytes of a typical chart. Anything it does not recognize (interlacing, palettes, 16-bit) is returned as is.</summary>
internal static class PngRecompressor
{
    static ReadOnlySpan<byte> Signature => [137, 80, 78, 71, 13, 10, 26, 10];

    public static byte[] Recompress(byte[] png)
    {
        try { return TryRecompress(png) ?? png; }
        catch (InvalidDataException) { return png; }
    }

    static byte[]? TryRecompress(byte[] png)
    {
        if (png.Length < 8 || !png.AsSpan(0, 8).SequenceEqual(Signature)) return null;
        int width = 0, height = 0, colorType = -1;
        using var idat = new MemoryStream();
        for (var at = 8; at + 12 <= png.Length;)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            var type = System.Text.Encoding.ASCII.GetString(png, at + 4, 4);
            var data = png.AsSpan(at + 8, length);
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                if (data[8] != 8 || data[12] != 0) return null; // 8 bits, no interlacing
                colorType = data[9];
            }
            else if (type == "IDAT") idat.Write(data);
            at += 12 + length;
        }
        if (colorType is not (2 or 6) || width <= 0 || height <= 0) return null;
        var bpp = colorType == 6 ? 4 : 3;
        var stride = width * bpp;
        var raw = new byte[(stride + 1) * height];
        idat.Position = 0;
        using (var inflate = new ZLibStream(idat, CompressionMode.Decompress)) inflate.ReadExactly(raw);

        // Unfilter into plain rows.
        var pixels = new byte[stride * height];
        for (var y = 0; y < height; y++)
        {
            var filter = raw[y * (stride + 1)];
            var line = raw.AsSpan(y * (stride + 1) + 1, stride);
            var row = pixels.AsSpan(y * stride, stride);
            var prev = y > 0 ? pixels.AsSpan((y - 1) * stride, stride) : new byte[stride];
            for (var x = 0; x < stride; x++)
            {
                int a = x >= bpp ? row[x - bpp] : 0, b = prev[x], c = x >= bpp ? prev[x - bpp] : 0;
                row[x] = (byte)(line[x] + filter switch { 0 => 0, 1 => a, 2 => b, 3 => (a + b) >> 1, 4 => Paeth(a, b, c), _ => throw new InvalidDataException("bad PNG filter") });
            }
        }

        // Drop an alpha channel that is opaque everywhere.
        var outBpp = bpp;
        if (bpp == 4)
        {
            var opaque = true;
            for (var i = 3; i < pixels.Length && opaque; i += 4) opaque = pixels[i] == 255;
            if (opaque)
            {
                var rgb = new byte[width * 3 * height];
                for (int i = 0, j = 0; i < pixels.Length; i += 4, j += 3) { rgb[j] = pixels[i]; rgb[j + 1] = pixels[i + 1]; rgb[j + 2] = pixels[i + 2]; }
                pixels = rgb;
                outBpp = 3;
            }
        }
        var outStride = width * outBpp;
        var filtered = new byte[(outStride + 1) * height];
        var candidate = new byte[outStride];
        for (var y = 0; y < height; y++)
        {
            var row = pixels.AsSpan(y * outStride, outStride);
            var prev = y > 0 ? pixels.AsSpan((y - 1) * outStride, outStride) : new byte[outStride];
            long best = long.MaxValue;
            for (byte f = 0; f <= 4; f++)
            {
                long cost = 0;
                for (var x = 0; x < outStride; x++)
                {
                    int a = x >= outBpp ? row[x - outBpp] : 0, b = prev[x], c = x >= outBpp ? prev[x - outBpp] : 0;
                    var v = (byte)(row[x] - f switch { 0 => 0, 1 => a, 2 => b, 3 => (a + b) >> 1, _ => Paeth(a, b, c) });
                    candidate[x] = v;
                    cost += v < 128 ? v : 256 - v;
                }
                if (cost < best)
                {
                    best = cost;
                    filtered[y * (outStride + 1)] = f;
                    candidate.CopyTo(filtered, y * (outStride + 1) + 1);
                }
            }
        }
        using var deflated = new MemoryStream();
        using (var z = new ZLibStream(deflated, CompressionLevel.SmallestSize, leaveOpen: true)) z.Write(filtered);

        using var output = new MemoryStream();
        output.Write(Signature);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8;
        header[9] = (byte)(outBpp == 4 ? 6 : 2);
        Chunk(output, "IHDR", header);
        Chunk(output, "IDAT", deflated.ToArray());
        Chunk(output, "IEND", []);
        var result = output.ToArray();
        return result.Length < png.Length ? result : null;
    }

    static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(n =>
    {
        var c = (uint)n;
        for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    /// <summary>The PNG chunk CRC (ISO 3309 / zlib CRC-32), continued over <paramref name="data"/>.</summary>
    static uint Crc(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (var b in data) crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc;
    }

    static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    static void Chunk(Stream output, string type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        output.Write(length);
        var typeBytes = System.Text.Encoding.ASCII.GetBytes(type);
        output.Write(typeBytes);
        output.Write(data);
        var crc = Crc(Crc(0xFFFFFFFFu, typeBytes), data) ^ 0xFFFFFFFFu;
        Span<byte> sum = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(sum, crc);
        output.Write(sum);
    }
}
