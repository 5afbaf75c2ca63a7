using System.Runtime.InteropServices;

namespace Workbench.Data.Io;

/// <summary>A write-only pass-through to a file that asks the OS to start writing each <c>every</c> bytes to disk as
/// soon as they are written (Linux: <c>sync_file_range(SYNC_FILE_RANGE_WRITE)</c>, which queues the writeback and does
/// not wait for it). Linux otherwise keeps written pages dirty in memory until 10% of it is dirty or 30 s pass, so the
/// fsync that commits a large file (<see cref="AtomicFile"/>) wrote all of it at the end: 1-1.5 s of idle wall for the
/// 1.7 GB of narratives at 100,000 accounts (docs/scale.md). With the writeback started while the rest is still being
/// produced, that fsync waits for the tail only. What is written and when it becomes visible are unchanged; off Linux,
/// or once the call fails (a file system without it), the bytes only pass through.</summary>
internal sealed class WritebackStream(FileStream file, long every) : Stream
{
    const uint SyncFileRangeWrite = 2;

    [DllImport("libc", SetLastError = true)]
    static extern int sync_file_range(int fd, long offset, long nbytes, uint flags);

    bool _enabled = OperatingSystem.IsLinux() && every > 0;

    /// <summary>The bytes from the file's start whose writeback was started (for tests: the requests cover [0, this)).</summary>
    internal long WritebackStarted { get; private set; }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        file.Write(buffer);
        StartWritebackWhenDue();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void WriteByte(byte value)
    {
        file.WriteByte(value);
        StartWritebackWhenDue();
    }

    void StartWritebackWhenDue()
    {
        if (!_enabled) return;
        long end = file.Position;
        if (end - WritebackStarted < every) return;
        file.Flush(flushToDisk: false); // the FileStream's own buffer to the OS, so the range is all in the page cache
        bool added = false;
        try
        {
            file.SafeFileHandle.DangerousAddRef(ref added);
            int fd = (int)file.SafeFileHandle.DangerousGetHandle();
            if (sync_file_range(fd, WritebackStarted, end - WritebackStarted, SyncFileRangeWrite) != 0) { _enabled = false; return; }
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException) { _enabled = false; return; }
        finally
        {
            if (added) file.SafeFileHandle.DangerousRelease();
        }
        WritebackStarted = end;
    }

    public override void Flush() => file.Flush();
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => file.Length;
    public override long Position { get => file.Position; set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
