using System.Runtime.ExceptionServices;

namespace Workbench.Analytics.Explanation;

/// <summary>Chunks produced on several threads and consumed in order: <c>produce(i)</c> runs on worker threads, taking
/// chunks in ascending order, while the calling thread hands each result to <c>consume</c> in order of <c>i</c>. At most
/// <c>window</c> chunks are produced ahead of the one being consumed, so memory is bounded by the window, not the count.
/// What is consumed does not depend on the number of workers or their timing.</summary>
internal static class OrderedChunks
{
    public static void Run<T>(int count, int workers, int window, Func<int, T> produce, Action<int, T> consume)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        var slots = new T?[window];
        var ready = new bool[window];
        var gate = new object();
        int next = 0, consumed = 0;
        ExceptionDispatchInfo? failure = null;

        void Work()
        {
            while (true)
            {
                int i;
                lock (gate)
                {
                    // Chunks consumed..next-1 are in flight; fewer than `window` of them keeps their slots (i % window) distinct.
                    while (failure is null && next < count && next - consumed >= window) Monitor.Wait(gate);
                    if (failure is not null || next >= count) return;
                    i = next++;
                }
                T result;
                try { result = produce(i); }
                catch (Exception ex)
                {
                    lock (gate) { failure ??= ExceptionDispatchInfo.Capture(ex); Monitor.PulseAll(gate); }
                    return;
                }
                lock (gate) { slots[i % window] = result; ready[i % window] = true; Monitor.PulseAll(gate); }
            }
        }

        var threads = Enumerable.Range(0, Math.Min(workers, Math.Max(count, 1)))
            .Select(_ => new Thread(Work) { IsBackground = true, Name = "ordered chunks" }).ToArray();
        foreach (var t in threads) t.Start();
        try
        {
            for (int i = 0; i < count; i++)
            {
                T result;
                lock (gate)
                {
                    while (failure is null && !ready[i % window]) Monitor.Wait(gate);
                    if (failure is not null) break;
                    result = slots[i % window]!;
                    slots[i % window] = default; // the chunk is garbage once consumed
                    ready[i % window] = false;
                }
                consume(i, result);
                lock (gate) { consumed = i + 1; Monitor.PulseAll(gate); }
            }
        }
        catch (Exception ex)
        {
            lock (gate) { failure ??= ExceptionDispatchInfo.Capture(ex); Monitor.PulseAll(gate); }
        }
        finally
        {
            foreach (var t in threads) t.Join();
        }
        failure?.Throw();
    }
}
