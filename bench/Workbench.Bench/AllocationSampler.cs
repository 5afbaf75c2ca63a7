using System.Diagnostics.Tracing;

namespace Workbench.Bench;

/// <summary>Samples the runtime's allocation ticks (one event per ~100 KB allocated on a heap, naming the type of the
/// object that crossed the mark, and every large-object allocation) and sums the bytes by type and heap (small or
/// large), so a step's allocations can be attributed without a profiler: a type with N bytes of ticks allocated about N
/// bytes. Enabled by <c>--alloc-types</c>.</summary>
sealed class AllocationSampler : EventListener
{
    readonly Dictionary<(string Type, int Kind), (long Bytes, long Ticks)> byType = new();

    protected override void OnEventSourceCreated(EventSource source)
    {
        // GC keyword (0x1) at verbose level carries GCAllocationTick.
        if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1);
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventName is null || !e.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || e.Payload is null) return;
        string type = "?"; int kind = 0; long amount = 0;
        for (int i = 0; i < e.PayloadNames!.Count; i++)
        {
            switch (e.PayloadNames[i])
            {
                case "TypeName": type = e.Payload[i] as string ?? "?"; break;
                case "AllocationKind": kind = Convert.ToInt32(e.Payload[i]); break;
                case "AllocationAmount64": amount = Convert.ToInt64(e.Payload[i]); break;
            }
        }
        lock (byType)
        {
            byType.TryGetValue((type, kind), out var v);
            byType[(type, kind)] = (v.Bytes + amount, v.Ticks + 1);
        }
    }

    /// <summary>The types with the most bytes since the last call (then cleared), largest first.</summary>
    public string TakeReport(int top = 12)
    {
        lock (byType)
        {
            var lines = byType.OrderByDescending(kv => kv.Value.Bytes).Take(top)
                .Select(kv => $"      {kv.Value.Bytes / (1024.0 * 1024.0),8:F1} MB {(kv.Key.Kind == 1 ? "LOH" : kv.Key.Kind == 2 ? "POH" : "SOH")} {kv.Key.Type} ({kv.Value.Ticks} ticks)").ToList();
            byType.Clear();
            return string.Join("\n", lines);
        }
    }
}
