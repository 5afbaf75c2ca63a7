using System.Globalization;
using System.Runtime.InteropServices;

namespace Workbench.Data.Io;

/// <summary>Asks Linux for transparent huge pages (2 MB) on the managed heap while a scope runs (a catalog load with
/// <c>LoadOptions.HugePages</c>, or a whole <c>workbench score</c>), and takes the request back when the last concurrent
/// scope ends. A 100,000-account load touches about 4.7 GB of fresh 4 KB pages (1.2 M page faults, a quarter of its CPU
/// samples); with the heap's range advised MADV_HUGEPAGE the kernel maps most of it in 2 MB pages (0.46-0.51 M faults).
/// <c>run</c> advises only its load: huge pages kept into the fits raised its peak, which has a 4 GB budget. Nothing
/// changes when the kernel's THP mode is not "madvise" (with "always" the heap gets huge pages anyway, with "never" it
/// cannot), off Linux, or with WORKBENCH_LOAD_HUGEPAGES=0. Advice is a hint: no value read depends on it.</summary>
public static class HeapHugePages
{
    const int MadvHugePage = 14, MadvNoHugePage = 15;
    static readonly object Gate = new();
    static int active;
    static (nint Start, nuint Length) range;

    [DllImport("libc", SetLastError = true)]
    static extern int madvise(nint address, nuint length, int advice);

    /// <summary>Advises the heap until the returned scope is disposed (scopes nest: the advice is taken back when the
    /// outermost ends).</summary>
    public static IDisposable Begin()
    {
        if (!Enabled.Value) return Scope.None;
        lock (Gate)
        {
            if (active++ == 0)
            {
                range = HeapRange();
                if (range.Length > 0) madvise(range.Start, range.Length, MadvHugePage);
            }
        }
        return new Scope();
    }

    static void End()
    {
        lock (Gate)
        {
            // MADV_NOHUGEPAGE also keeps khugepaged from collapsing the range later; pages already huge stay so.
            if (--active == 0 && range.Length > 0) madvise(range.Start, range.Length, MadvNoHugePage);
        }
    }

    static readonly Lazy<bool> Enabled = new(() =>
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("WORKBENCH_LOAD_HUGEPAGES") == "0") return false;
        try { return File.ReadAllText("/sys/kernel/mm/transparent_hugepage/enabled").Contains("[madvise]", StringComparison.Ordinal); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { return false; }
    });

    /// <summary>The managed heap's reserved address range: the run of adjacent anonymous mappings (committed and
    /// reserved parts of the GC's one reservation) around a freshly allocated large object.</summary>
    internal static (nint Start, nuint Length) HeapRange()
    {
        var probe = new byte[100_000]; // large object heap: inside the GC's reservation like the row arrays
        var handle = GCHandle.Alloc(probe, GCHandleType.Pinned);
        ulong address = (ulong)handle.AddrOfPinnedObject();
        handle.Free();
        string[] lines;
        try { lines = File.ReadAllLines("/proc/self/maps"); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { return (0, 0); }
        var maps = new List<(ulong Start, ulong End, bool Anonymous)>(lines.Length);
        foreach (var line in lines)
        {
            // "start-end perms offset dev inode [path]": anonymous mappings have no path.
            var parts = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            int dash = parts[0].IndexOf('-');
            maps.Add((ulong.Parse(parts[0].AsSpan(0, dash), NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                ulong.Parse(parts[0].AsSpan(dash + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                parts.Length < 6 || parts[5].Trim().Length == 0));
        }
        int at = maps.FindIndex(m => m.Start <= address && address < m.End);
        if (at < 0 || !maps[at].Anonymous) return (0, 0);
        int first = at, last = at;
        while (first > 0 && maps[first - 1].End == maps[first].Start && maps[first - 1].Anonymous) first--;
        while (last < maps.Count - 1 && maps[last].End == maps[last + 1].Start && maps[last + 1].Anonymous) last++;
        GC.KeepAlive(probe);
        return ((nint)maps[first].Start, (nuint)(maps[last].End - maps[first].Start));
    }

    sealed class Scope : IDisposable
    {
        public static readonly IDisposable None = new NoScope();
        int disposed;
        public void Dispose() { if (Interlocked.Exchange(ref disposed, 1) == 0) End(); }
        sealed class NoScope : IDisposable { public void Dispose() { } }
    }
}
