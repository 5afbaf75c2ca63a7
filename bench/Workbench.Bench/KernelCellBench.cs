using System.Diagnostics;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;
using Workbench.Notebooks;

namespace Workbench.Bench;

/// <summary><c>kernel-cells [runs=50] [code]</c>: where the time of a trivial cell goes, without the kernel's sockets. Times
/// (median / min of <c>runs</c> after a warm-up) a NotebookSession cell in this process, then plain Roslyn script
/// continuations of the same code with the session's references and imports (Debug + PDB as the session compiles, and
/// Release without PDB), and with the framework references only.</summary>
public static class KernelCellBench
{
    public static int Run(string[] args)
    {
        // --session-only: only the NotebookSession line; --setup CODE: one cell run before the timed ones.
        var sessionOnly = args.Contains("--session-only");
        using var gcReasons = args.Contains("--gc-reasons") ? new GcReasonListener() : null;
        args = args.Where(a => a != "--gc-reasons").ToArray();
        var setupAt = Array.IndexOf(args, "--setup");
        var setup = setupAt >= 0 && setupAt + 1 < args.Length ? args[setupAt + 1] : null;
        args = args.Where((a, i) => a != "--session-only" && (setupAt < 0 || (i != setupAt && i != setupAt + 1))).ToArray();
        int runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 50;
        string code = args.Length > 1 ? args[1] : "1 + 1";
        Console.WriteLine($"kernel-cells: {runs} runs of \"{code}\"{(setup is null ? "" : $" after \"{setup}\"")}; load avg {File.ReadAllText("/proc/loadavg").Trim()}");
        using (var session = NotebookSession.Create())
        {
            if (setup is not null && session.ExecuteAsync(setup).GetAwaiter().GetResult().Status != CellStatus.Ok) throw new InvalidOperationException("setup failed");
            Report("NotebookSession.ExecuteAsync (in process)", runs, () =>
            {
                var r = session.ExecuteAsync(code).GetAwaiter().GetResult();
                if (r.Status != CellStatus.Ok) throw new InvalidOperationException($"cell failed: {r.Error?.Message}");
            });
        }
        if (gcReasons is not null) Console.WriteLine("  GCs by reason (0 alloc small, 1 induced, 2 low memory, 4 alloc large, 5 out of space SOH, 6 out of space LOH, 7 induced not forced): " + string.Join(", ", gcReasons.Counts.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}: {kv.Value}")));
        if (sessionOnly) return 0;
        var (references, imports) = SessionLike();
        Console.WriteLine($"session-like references: {references.Count}, imports: {imports.Count}");
        var debug = ScriptOptions.Default.WithReferences(references).WithImports(imports).WithLanguageVersion(LanguageVersion.Latest)
            .WithEmitDebugInformation(true).WithOptimizationLevel(OptimizationLevel.Debug);
        Chain("roslyn continuation, session refs + imports, Debug + PDB", debug, code, runs);
        // Imports given to the first submission only: later submissions inherit them (checked with Path.Combine).
        var first = CSharpScript.RunAsync("var x = 1;", debug).GetAwaiter().GetResult();
        var bare = debug.WithImports(Array.Empty<string>());
        var inherited = first.ContinueWithAsync("Path.Combine(\"a\", \"b\") + Enumerable.Range(0, 2).Count()", bare).GetAwaiter().GetResult();
        Console.WriteLine($"  imports inherited by a continuation without imports: {inherited.ReturnValue}");
        Chain("roslyn continuation, session refs, imports on the first submission only, Debug + PDB", debug, code, runs, bare);
        Chain("roslyn continuation, session refs + imports, Release, no PDB", debug.WithEmitDebugInformation(false).WithOptimizationLevel(OptimizationLevel.Release), code, runs);
        Chain("roslyn continuation, session refs + imports, Release + PDB", debug.WithOptimizationLevel(OptimizationLevel.Release), code, runs);
        Chain("roslyn continuation, session refs + imports, Debug, no PDB", debug.WithEmitDebugInformation(false), code, runs);
        Chain("roslyn continuation, session refs, no imports, Debug + PDB", debug.WithImports("System"), code, runs);
        return 0;
    }

    static void Chain(string what, ScriptOptions options, string code, int runs, ScriptOptions? next = null)
    {
        var state = CSharpScript.RunAsync("var x = 1;", options).GetAwaiter().GetResult();
        options = next ?? options;
        Report(what + ": compile+run", runs, () => state = state.ContinueWithAsync(code, options).GetAwaiter().GetResult());
        Report(what + ": compile only (GetCompilation + GetDiagnostics)", runs, () => state.Script.ContinueWith(code, options).GetCompilation().GetDiagnostics());
        Report(what + ": Script.Compile (emit)", runs, () => state.Script.ContinueWith(code, options).Compile());
    }

    static (IReadOnlyList<MetadataReference>, IReadOnlyList<string>) SessionLike()
    {
        var paths = new SortedDictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var p in (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            paths.TryAdd(Path.GetFileNameWithoutExtension(p), p);
        var refs = paths.Values.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToList();
        return (refs, NotebookSession.DefaultImports);
    }

    static void Report(string what, int runs, Action action)
    {
        for (int i = 0; i < 5; i++) action();
        var times = new List<double>();
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpuBefore = process.TotalProcessorTime;
        var (gen0, gen2, pause) = (GC.CollectionCount(0), GC.CollectionCount(2), GC.GetTotalPauseDuration());
        var allocated = GC.GetTotalAllocatedBytes();
        for (int i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            action();
            times.Add(sw.Elapsed.TotalMilliseconds);
        }
        process.Refresh();
        var cpuPerRun = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds / runs;
        // Medians per block of 50 runs show whether a cell's cost grows with the number of cells run before it.
        if (times.Count >= 100)
            Console.WriteLine("    per 50 runs: " + string.Join(" ", times.Chunk(50).Select(c => c.Order().ElementAt(c.Length / 2).ToString("F1", CultureInfo.InvariantCulture))));
        times.Sort();
        // CPU per run (all threads of the process: JIT tiering and GC included) is steadier than wall time on a loaded machine.
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {what,-90} median {times[times.Count / 2],7:F2} ms  p90 {times[(int)(0.9 * (times.Count - 1))],7:F2} ms  min {times[0],7:F2} ms  cpu/run {cpuPerRun,7:F2} ms  GCs {GC.CollectionCount(0) - gen0} (gen2 {GC.CollectionCount(2) - gen2}), pause {(GC.GetTotalPauseDuration() - pause).TotalMilliseconds / runs:F2} ms/run, allocated {(GC.GetTotalAllocatedBytes() - allocated) / 1e6 / runs:F2} MB/run, heap after {GC.GetGCMemoryInfo().HeapSizeBytes / 1e6:F0} MB"));
    }
}

/// <summary>Counts the GCs by generation and reason (GCStart events of the runtime's own event source), for
/// <c>kernel-cells --gc-reasons</c>.</summary>
sealed class GcReasonListener : System.Diagnostics.Tracing.EventListener
{
    public readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> Counts = new();

    protected override void OnEventSourceCreated(System.Diagnostics.Tracing.EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
            EnableEvents(source, System.Diagnostics.Tracing.EventLevel.Verbose, (System.Diagnostics.Tracing.EventKeywords)0x1);
    }

    protected override void OnEventWritten(System.Diagnostics.Tracing.EventWrittenEventArgs e)
    {
        if (e.EventName is { } tick && tick.StartsWith("GCAllocationTick", StringComparison.Ordinal) && e.Payload is not null && e.PayloadNames is not null
            && Convert.ToInt32(e.Payload[e.PayloadNames.IndexOf("AllocationKind")], CultureInfo.InvariantCulture) == 1)
        {
            Counts.AddOrUpdate($"LOH tick {e.Payload[e.PayloadNames.IndexOf("TypeName")]}", 1, (_, n) => n + 1);
            return;
        }
        if (e.EventName is not { } name || !name.StartsWith("GCStart", StringComparison.Ordinal) || e.Payload is null || e.PayloadNames is null) return;
        var depth = e.Payload[e.PayloadNames.IndexOf("Depth")];
        var reason = e.Payload[e.PayloadNames.IndexOf("Reason")];
        Counts.AddOrUpdate($"gen{depth} reason {reason}", 1, (_, n) => n + 1);
    }
}
