using System.Buffers.Binary;
using System.IO.Compression;

namespace Workbench.Notebooks.Kernel;

/// <summary>
/// The kernel's logo (logo-32x32.png and logo-64x64.png in the kernelspec folder, which Jupyter shows in the launcher
/// and the kernel picker), drawn from code at install time so no binary file is kept in the repository: a rounded
/// dark-blue tile holding three rising bars (a ranked book) in teal, amber and white. Any size from 16 to 1024 pixels;
/// the same size always gives the same pixels. Written as an 8-bit RGBA PNG with the BCL's zlib (no imaging library).
/// </summary>
public static class KernelLogo
{
    /// <summary>The logo files Jupyter looks for in a kernelspec folder, with their sizes.</summary>
    public static readonly IReadOnlyList<(string File, int Size)> Files = [("logo-32x32.png", 32), ("logo-64x64.png", 64)];

    static readonly (byte R, byte G, byte B) Tile = (0x1F, 0x3A, 0x5F), Teal = (0x2E, 0xC4, 0xB6), Amber = (0xFF, 0xB3, 0x47), White = (0xF5, 0xF7, 0xFA);

    /// <summary>The logo as PNG bytes, <paramref name="size"/> x <paramref name="size"/> pixels.</summary>
    public static byte[] Png(int size)
    {
        if (size is < 16 or > 1024) throw new ArgumentOutOfRangeException(nameof(size), size, "the logo is drawn between 16 and 1024 pixels");
        return Encode(size, size, Pixels(size));
    }

    /// <summary>Writes the logo files into <paramref name="directory"/> (each written beside its place, then renamed in).</summary>
    public static void WriteInto(string directory)
    {
        foreach (var (file, size) in Files)
        {
            var path = Path.Combine(directory, file);
            var temp = path + ".tmp";
            File.WriteAllBytes(temp, Png(size));
            File.Move(temp, path, overwrite: true);
        }
    }

    /// <summary>RGBA pixels, row by row. Shapes are given in a 64-unit design space and sampled 4x4 per pixel, so the edges
    /// are smoothed the same way at every size.</summary>
    static byte[] Pixels(int size)
    {
        var rgba = new byte[size * size * 4];
        const int samples = 4;
        double unit = 64.0 / size;
        for (int y = 0; y < size; y++)
        for (int x = 0; x < size; x++)
        {
            double r = 0, g = 0, b = 0, a = 0;
            for (int sy = 0; sy < samples; sy++)
            for (int sx = 0; sx < samples; sx++)
            {
                double u = (x + (sx + 0.5) / samples) * unit, v = (y + (sy + 0.5) / samples) * unit;
                if (Colour(u, v) is not { } c) continue;
                r += c.R; g += c.G; b += c.B; a += 1;
            }
            int at = (y * size + x) * 4;
            if (a == 0) continue; // transparent corner
            rgba[at] = (byte)Math.Round(r / a);
            rgba[at + 1] = (byte)Math.Round(g / a);
            rgba[at + 2] = (byte)Math.Round(b / a);
            rgba[at + 3] = (byte)Math.Round(255 * a / (samples * samples));
        }
        return rgba;
    }

    /// <summary>The colour at design point (u, v) in [0, 64)², or null outside the tile.</summary>
    static (byte R, byte G, byte B)? Colour(double u, double v)
    {
        if (!InRoundedSquare(u, v, 2, 62, 12)) return null;
        // Three bars on a baseline, rising left to right (design units).
        if (InRoundedSquare(u, v, 12, 23, 4, top: 34, bottom: 52)) return Teal;
        if (InRoundedSquare(u, v, 27, 38, 4, top: 24, bottom: 52)) return Amber;
        if (InRoundedSquare(u, v, 42, 53, 4, top: 12, bottom: 52)) return White;
        return Tile;
    }

    static bool InRoundedSquare(double u, double v, double left, double right, double radius, double? top = null, double? bottom = null)
    {
        double t = top ?? left, bo = bottom ?? right;
        if (u < left || u >= right || v < t || v >= bo) return false;
        double cx = Math.Clamp(u, left + radius, right - radius), cy = Math.Clamp(v, t + radius, bo - radius);
        double dx = u - cx, dy = v - cy;
        return dx * dx + dy * dy <= radius * radius;
    }

    static byte[] Encode(int width, int height, byte[] rgba)
    {
        var raw = new byte[height * (1 + width * 4)];
        for (int y = 0; y < height; y++)
        {
            raw[y * (1 + width * 4)] = 0; // filter: none
            Buffer.BlockCopy(rgba, y * width * 4, raw, y * (1 + width * 4) + 1, width * 4);
        }
        byte[] compressed;
        using (var buffer = new MemoryStream())
        {
            using (var zlib = new ZLibStream(buffer, CompressionLevel.SmallestSize, leaveOpen: true)) zlib.Write(raw);
            compressed = buffer.ToArray();
        }
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8;  // bit depth
        header[9] = 6;  // colour type: RGBA
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        Chunk(png, "IHDR", header);
        Chunk(png, "IDAT", compressed);
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    static void Chunk(Stream png, string type, byte[] data)
    {
        Span<byte> four = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(four, data.Length);
        png.Write(four);
        var typeBytes = Encoding.ASCII.GetBytes(type);
        png.Write(typeBytes);
        png.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(four, Crc32(typeBytes, data));
        png.Write(four);
    }

    static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(n =>
    {
        uint c = (uint)n;
        for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    /// <summary>The PNG chunk CRC (CRC-32, ISO 3309) over the chunk type and data.</summary>
    internal static uint Crc32(ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        uint c = 0xFFFFFFFFu;
        foreach (var b in type) c = CrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
        foreach (var b in data) c = CrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
        return c ^ 0xFFFFFFFFu;
    }
}
