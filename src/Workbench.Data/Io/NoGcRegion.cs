using System.Runtime;

namespace Workbench.Data.Io;

/// <summary>Holds the garbage collector off while a scope allocates mostly what it keeps. <c>workbench score</c> at 100,000
/// accounts allocates about 4 GB from its data load to the end of its explaining and keeps most of it, yet ran 30-40
/// collections there (8-10 of them background gen2s marking the growing heap); in a region it runs none
/// (docs/scale.md, "The scoring in a no-GC region"). Past the region's budget the runtime ends the region and collects
/// as usual, so a budget that turns out too small costs the collections it would have run, never a failure. One region
/// at a time (the runtime allows one): a scope begun while another holds holds nothing, and a scope ends only the region it
/// was granted.</summary>
public sealed class NoGcRegion : IDisposable
{
    /// <summary>Attempts to start the region. With DATAS (the server GC's dynamic heap count, on by default in .NET 10) the
    /// first attempt's collection often changes the heap count and the runtime then declines the region; the next attempt,
    /// on the new heap count, is granted (measured: declined once in about half the runs, never twice).</summary>
    const int Attempts = 3;
    static readonly object Gate = new();
    /// <summary>The scope whose region the runtime granted last: only it may end the process's region (a scope whose region
    /// the runtime already ended must not end a later scope's).</summary>
    static NoGcRegion? owner;
    readonly long started = System.Diagnostics.Stopwatch.GetTimestamp();
    bool disposed;

    NoGcRegion(long budgetBytes, bool granted) { BudgetBytes = budgetBytes; Granted = granted; }

    /// <summary>The bytes asked for (small and large objects together).</summary>
    public long BudgetBytes { get; }

    /// <summary>Whether the runtime granted the region when the scope began.</summary>
    public bool Granted { get; }

    /// <summary>Whether the region still holds: false once the scope allocated past its budget, after <see cref="Dispose"/>,
    /// or when it was never granted.</summary>
    public bool Holding => !disposed && owner == this && GCSettings.LatencyMode == GCLatencyMode.NoGCRegion; // only a granted scope is ever the owner

    /// <summary>Wall seconds since the scope began.</summary>
    public double Seconds => System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;

    /// <summary>Begins a region of <paramref name="budgetBytes"/> (half of it for large objects), or a scope that holds
    /// nothing when the budget is not positive, is more than <paramref name="maxFractionOfMemory"/> of the memory the
    /// runtime may use (the region's memory is the process's until it ends), the runtime declines it, or a region is
    /// already held.</summary>
    public static NoGcRegion Begin(long budgetBytes, double maxFractionOfMemory = 1.0 / 3)
    {
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (budgetBytes <= 0 || budgetBytes > available * maxFractionOfMemory) return new NoGcRegion(budgetBytes, granted: false);
        lock (Gate)
        {
            if (GCSettings.LatencyMode == GCLatencyMode.NoGCRegion) return new NoGcRegion(budgetBytes, granted: false);
            bool granted = false;
            try
            {
                for (int i = 0; i < Attempts && !granted; i++)
                    granted = GC.TryStartNoGCRegion(budgetBytes, budgetBytes / 2, disallowFullBlockingGC: false);
            }
            // Too large for this runtime's heap layout, or a region begun outside these scopes: collected as usual.
            catch (Exception ex) when (ex is ArgumentOutOfRangeException or InvalidOperationException) { granted = false; }
            var region = new NoGcRegion(budgetBytes, granted);
            if (granted) owner = region;
            return region;
        }
    }

    /// <summary>Ends the region if it still holds.</summary>
    public void Dispose()
    {
        lock (Gate)
        {
            if (disposed) return;
            bool holding = Holding;
            disposed = true;
            if (owner == this) owner = null;
            if (!holding) return;
            // The runtime may end the region between the check and the call (another thread allocating past the budget).
            try { GC.EndNoGCRegion(); }
            catch (InvalidOperationException) { }
        }
    }
}
