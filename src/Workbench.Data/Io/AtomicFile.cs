namespace Workbench.Data.Io;

/// <summary>Writes a file all-or-nothing: the content goes to a temporary file in the same folder, which is
/// renamed over the target only after it was written completely. A failure deletes the temporary file,
/// so readers never see a half-written output.</summary>
public static class AtomicFile
{
    public static void Write(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        var tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16))
            {
                write(fs);
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
