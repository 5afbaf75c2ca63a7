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
        int runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 50;
        string code = args.Length > 1 ? args[1] : "1 + 1";
        Console.WriteLine($"kernel-cells: {runs} runs of \"{code}\"; load avg {File.ReadAllText("/proc/loadavg").Trim()}");
        using (var session = NotebookSession.Create())
        {
            Report("NotebookSession.ExecuteAsync (in process)", runs, () => session.ExecuteAsync(code).GetAwaiter().GetResult());
        }
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
        for (int i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            action();
            times.Add(sw.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {what,-90} median {times[times.Count / 2],7:F2} ms  min {times[0],7:F2} ms"));
    }
}
