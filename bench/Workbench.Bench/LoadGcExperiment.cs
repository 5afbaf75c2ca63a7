using System.Runtime;
using System.Runtime.InteropServices;

namespace Workbench.Bench;

/// <summary>load7's experiments around the load step, chosen by LOAD7_EXP: "sll" (SustainedLowLatency during the
/// load), "nogc:MB" (a no-GC region of MB megabytes), "thp" (the GC heap's reserved range advised for transparent huge
/// pages before the load). Unset: nothing.</summary>
static class LoadGcExperiment
{
    [DllImport("libc", SetLastError = true)]
    static extern int madvise(nint addr, nuint length, int advice);
    const int MADV_HUGEPAGE = 14;

    public static IDisposable Begin()
    {
        var exp = Environment.GetEnvironmentVariable("LOAD7_EXP");
        if (string.IsNullOrEmpty(exp)) return new Undo(() => { });
        if (exp == "sll")
        {
            var old = GCSettings.LatencyMode;
            GCSettings.LatencyMode = GCLatencyMode.SustainedLowLatency;
            return new Undo(() => GCSettings.LatencyMode = old);
        }
        if (exp.StartsWith("nogc:"))
        {
            long mb = long.Parse(exp[5..]);
            bool ok = GC.TryStartNoGCRegion(mb << 20);
            Console.WriteLine($"  no-GC region of {mb} MB: {ok}");
            return new Undo(() =>
            {
                if (GCSettings.LatencyMode == GCLatencyMode.NoGCRegion) GC.EndNoGCRegion();
                else Console.WriteLine("  no-GC region ended early");
            });
        }
        if (exp == "thp") { AdviseHeap(); return new Undo(() => { }); }
        throw new ArgumentException("LOAD7_EXP: " + exp);
    }

    /// <summary>Finds the contiguous anonymous mappings around a heap object and advises them MADV_HUGEPAGE.</summary>
    public static void AdviseHeap()
    {
        var probe = new byte[100_000];
        var handle = GCHandle.Alloc(probe, GCHandleType.Pinned);
        ulong addr = (ulong)handle.AddrOfPinnedObject();
        handle.Free();
        var maps = File.ReadAllLines("/proc/self/maps").Select(l =>
        {
            var parts = l.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var r = parts[0].Split('-');
            return (Start: Convert.ToUInt64(r[0], 16), End: Convert.ToUInt64(r[1], 16), Anon: parts.Length < 6);
        }).ToList();
        int i = maps.FindIndex(m => m.Start <= addr && addr < m.End);
        int a = i, b = i;
        while (a > 0 && maps[a - 1].End == maps[a].Start && maps[a - 1].Anon) a--;
        while (b < maps.Count - 1 && maps[b].End == maps[b + 1].Start && maps[b + 1].Anon) b++;
        ulong start = maps[a].Start, end = maps[b].End;
        int rc = madvise((nint)start, (nuint)(end - start), MADV_HUGEPAGE);
        Console.WriteLine($"  madvise HUGEPAGE {start:X}-{end:X} ({(end - start) >> 20} MB, {b - a + 1} mappings): rc {rc} errno {Marshal.GetLastPInvokeError()}");
        GC.KeepAlive(probe);
    }

    sealed class Undo(Action undo) : IDisposable { public void Dispose() => undo(); }
}
