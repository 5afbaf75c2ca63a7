using System.Diagnostics;

namespace Workbench.Notebooks;

/// <summary>Where a cell's round trip spends its time, for <c>bench/kernel_timings.py</c>: when the environment variable
/// <c>WORKBENCH_KERNEL_TIMINGS</c> names a file, the kernel, the executor child and the session append one line per mark
/// (<c>timestamp-ns pid mark</c>). Stopwatch timestamps are CLOCK_MONOTONIC nanoseconds on Linux, the clock Python's
/// <c>time.monotonic_ns</c> reads, so the marks of the client and of both processes fall on one time line. Unset (the
/// default), <see cref="Mark"/> is one static read.</summary>
internal static class KernelTimings
{
    static readonly string? FilePath = Environment.GetEnvironmentVariable("WORKBENCH_KERNEL_TIMINGS") is { Length: > 0 } p ? p : null;
    static readonly List<(long Timestamp, string Mark)> Pending = [];
    static readonly int Pid = Environment.ProcessId;
    static readonly Lock FileGate = new();

    static KernelTimings()
    {
        if (FilePath is null) return;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Flush(); // marks of a process without a kernel loop
        // A cell's submission assembly has just been loaded (Roslyn names them "\u211B*GUID#engine-submission").
        AppDomain.CurrentDomain.AssemblyLoad += (_, e) =>
        {
            if (e.LoadedAssembly.FullName?.StartsWith('\u211B') == true) Mark("s.loaded");
        };
    }

    public static bool Enabled => FilePath is not null;

    /// <summary>Records that the cell reached <paramref name="mark"/> now (kept in memory until <see cref="Flush"/>).</summary>
    public static void Mark(string mark)
    {
        if (FilePath is null) return;
        var now = Stopwatch.GetTimestamp();
        lock (Pending) Pending.Add((now, mark));
    }

    /// <summary>Appends the marks recorded so far to the file (called once a cell's reply is on its way, off the timed path).</summary>
    public static void Flush()
    {
        if (FilePath is null) return;
        var text = new StringBuilder();
        lock (Pending)
        {
            foreach (var (timestamp, mark) in Pending)
                text.Append(CultureInfo.InvariantCulture, $"{timestamp * (1_000_000_000 / Stopwatch.Frequency)} {Pid} {mark}\n");
            Pending.Clear();
        }
        lock (FileGate) File.AppendAllText(FilePath, text.ToString());
    }
}
