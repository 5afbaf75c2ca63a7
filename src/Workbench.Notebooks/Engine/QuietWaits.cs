namespace Workbench.Notebooks;

/// <summary>A queue whose consumer sleeps until an item comes, without spinning first. BlockingCollection and Task.Wait
/// spin (about 25 <c>sched_yield</c> calls each) before they sleep, and a cell passes through five such waits between the
/// kernel and its executor child, all of them longer than any spin: the spinning was CPU per cell and nothing else
/// (bench/README.md, "Kernel round trip: waits that do not spin").</summary>
internal sealed class QuietQueue<T>
{
    readonly Queue<T> items = new();
    bool completed;

    /// <summary>Adds an item; throws InvalidOperationException once <see cref="CompleteAdding"/> was called (as
    /// BlockingCollection does).</summary>
    public void Add(T item)
    {
        lock (items)
        {
            if (completed) throw new InvalidOperationException("the queue takes no more items");
            items.Enqueue(item);
            Monitor.Pulse(items);
        }
    }

    /// <summary>Takes an item if one is queued.</summary>
    public bool TryTake(out T item)
    {
        lock (items) return items.TryDequeue(out item!);
    }

    /// <summary>No item is added after this; consumers end once the queue is empty.</summary>
    public void CompleteAdding()
    {
        lock (items)
        {
            completed = true;
            Monitor.PulseAll(items);
        }
    }

    /// <summary>Items as they come, until <see cref="CompleteAdding"/> and the queue is empty. A Thread.Interrupt of the
    /// waiting thread throws ThreadInterruptedException, as BlockingCollection does.</summary>
    public IEnumerable<T> GetConsumingEnumerable()
    {
        while (true)
        {
            T item;
            lock (items)
            {
                while (items.Count == 0 && !completed) Monitor.Wait(items);
                if (!items.TryDequeue(out item!)) yield break; // completed and empty
            }
            yield return item;
        }
    }
}

/// <summary>Blocking waits for tasks without the spinning Task.Wait and Task.WaitAny do first (see
/// <see cref="QuietQueue{T}"/>). They wait on the task's wait handle, which the task sets as it completes, on the
/// completing thread, before any continuation runs, so the waiter is woken as directly as by Task.Wait.</summary>
internal static class QuietWait
{
    /// <summary>Returns once <paramref name="task"/> has completed (it does not rethrow a fault).</summary>
    public static void For(Task task)
    {
        if (!task.IsCompleted) ((IAsyncResult)task).AsyncWaitHandle.WaitOne();
    }

    /// <summary>Returns once <paramref name="a"/> or <paramref name="b"/> has completed.</summary>
    public static void ForAny(Task a, Task b)
    {
        if (a.IsCompleted || b.IsCompleted) return;
        WaitHandle.WaitAny([((IAsyncResult)a).AsyncWaitHandle, ((IAsyncResult)b).AsyncWaitHandle]);
    }
}
