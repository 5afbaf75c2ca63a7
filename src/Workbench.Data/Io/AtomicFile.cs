namespace Workbench.Data.Io;

/// <summary>Writes a file all-or-nothing: the content goes to a temporary file in the same folder, which is
/// renamed over the target only after it was written completely. A failure deletes the temporary file,
/// so readers never see a half-written output.</summary>
public static class AtomicFile
{
    public static void Write(string path, Action<Stream> write) => Write(path, write, writebackEvery: 0);

    /// <summary>As <see cref="Write(string, Action{Stream})"/>, for a large file written over a long stage: each
    /// <paramref name="writebackEvery"/> bytes written, the OS is asked to start writing them to disk (<see cref="WritebackStream"/>),
    /// so the fsync before the rename waits for the file's tail, not all of it. 0 (or less): no early writeback. The file
    /// still appears only complete and synced, and a failure still deletes the temporary file.</summary>
    public static void Write(string path, Action<Stream> write, long writebackEvery)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        var tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16))
            {
                if (writebackEvery > 0)
                {
                    using var writeback = new WritebackStream(fs, writebackEvery);
                    write(writeback);
                }
                else write(fs);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(tmp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    public static void WriteText(string path, string text) =>
        Write(path, s => { var bytes = new System.Text.UTF8Encoding(false).GetBytes(text); s.Write(bytes); });

    /// <summary>Writes each (file name, text) into <paramref name="dir"/> (created if missing), each file atomically,
    /// and returns the written paths in order.</summary>
    public static List<string> WriteTexts(string dir, IEnumerable<(string Name, string Text)> files)
    {
        Directory.CreateDirectory(dir);
        var written = new List<string>();
        foreach (var (name, text) in files)
        {
            var path = Path.Combine(dir, name);
            WriteText(path, text);
            written.Add(path);
        }
        return written;
    }
}
