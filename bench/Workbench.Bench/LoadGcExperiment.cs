using System.Runtime;

namespace Workbench.Bench;

/// <summary>load7's experiments around the load step, chosen by LOAD7_EXP: "sll" (SustainedLowLatency during the
/// load), "nogc:MB" (a no-GC region of MB megabytes), "thp" (the GC heap's reserved range advised for transparent huge
/// pages before the load). Unset: nothing.</summary>
static class LoadGcExperiment
{
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
        // The library's advice (HeapHugePages), never withdrawn: huge pages for the rest of the process.
        if (exp == "thp") { _ = Workbench.Data.Io.HeapHugePages.Begin(); return new Undo(() => { }); }
        throw new ArgumentException("LOAD7_EXP: " + exp);
    }

    sealed class Undo(Action undo) : IDisposable { public void Dispose() => undo(); }
}
