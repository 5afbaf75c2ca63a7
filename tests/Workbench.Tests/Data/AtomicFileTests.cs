using Workbench.Data.Io;

namespace Workbench.Tests.Data;

/// <summary>Atomic writes with the OS's writeback started while the file is written: the same bytes as a plain write,
/// the writeback requested in order over what was written, and still nothing half-written on failure.</summary>
public class AtomicFileTests
{
    static byte[] Pattern(int length) => Enumerable.Range(0, length).Select(i => (byte)(i * 31 + i / 251)).ToArray();

    /// <summary>Writes <paramref name="data"/> in pieces of varied sizes (single bytes, spans, arrays).</summary>
    static void WriteInPieces(Stream s, byte[] data)
    {
        int at = 0, step = 0;
        while (at < data.Length)
        {
            int size = Math.Min(data.Length - at, (step++ % 4) switch { 0 => 1, 1 => 700, 2 => 70_000, _ => 5_000 });
            if (size == 1) s.WriteByte(data[at]);
            else if (step % 2 == 0) s.Write(data.AsSpan(at, size));
            else s.Write(data, at, size);
            at += size;
        }
    }

    [Theory]
    [InlineData(0, 4096)]
    [InlineData(1, 4096)]
    [InlineData(4096, 4096)]
    [InlineData(1_000_003, 4096)]
    [InlineData(1_000_003, 1 << 20)]
    [InlineData(1_000_003, 0)] // no writeback: the plain write
    public void A_write_with_early_writeback_has_the_plain_writes_bytes(int length, long every)
    {
        var dir = TestPaths.NewTempDir("atomic-writeback");
        var data = Pattern(length);
        var path = Path.Combine(dir, "out.bin");
        long started = -1;
        AtomicFile.Write(path, s =>
        {
            WriteInPieces(s, data);
            if (s is WritebackStream w) started = w.WritebackStarted;
        }, every);
        Assert.True(File.ReadAllBytes(path).AsSpan().SequenceEqual(data));
        Assert.Equal(new[] { path }, Directory.GetFiles(dir)); // no temporary file left
        if (every <= 0) Assert.Equal(-1, started); // the FileStream itself was written
        else if (OperatingSystem.IsLinux())
            // Started over [0, started): all but less than one interval of what was written.
            Assert.InRange(started, Math.Max(0, length - every + 1), length);
    }

    [Fact]
    public void A_failure_after_the_writeback_started_leaves_the_old_file_and_no_temporary_file()
    {
        var dir = TestPaths.NewTempDir("atomic-writeback-fails");
        var path = Path.Combine(dir, "out.bin");
        File.WriteAllText(path, "old");
        long started = 0;
        var ex = Assert.Throws<IOException>(() => AtomicFile.Write(path, s =>
        {
            WriteInPieces(s, Pattern(500_000));
            started = ((WritebackStream)s).WritebackStarted;
            throw new IOException("disk full at 500,000 bytes");
        }, writebackEvery: 4096));
        Assert.Equal("disk full at 500,000 bytes", ex.Message);
        if (OperatingSystem.IsLinux()) Assert.True(started > 400_000, $"writeback started over {started:N0} bytes");
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal(new[] { path }, Directory.GetFiles(dir));
    }

    [Fact]
    public void The_writeback_stream_only_writes()
    {
        var dir = TestPaths.NewTempDir("atomic-writeback-only");
        AtomicFile.Write(Path.Combine(dir, "out.bin"), s =>
        {
            Assert.True(s.CanWrite);
            Assert.False(s.CanRead);
            Assert.False(s.CanSeek);
            Assert.Throws<NotSupportedException>(() => s.Read(new byte[1], 0, 1));
            Assert.Throws<NotSupportedException>(() => s.Seek(0, SeekOrigin.Begin));
        }, writebackEvery: 4096);
    }
}
