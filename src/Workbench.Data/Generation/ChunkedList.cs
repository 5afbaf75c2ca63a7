using System.Collections;

namespace Workbench.Data.Generation;

/// <summary>
/// An append-only list stored in fixed-size chunks. The monthly tables hold ~10 million rows at full
/// size; a List&lt;T&gt; would copy its whole backing array on every doubling (and briefly hold two
/// copies), while chunks never move.
/// </summary>
internal sealed class ChunkedList<T> : IReadOnlyList<T>
{
    const int Shift = 16, ChunkSize = 1 << Shift, Mask = ChunkSize - 1;
    readonly List<T[]> _chunks = [];
    int _count;

    public int Count => _count;

    public T this[int index]
    {
        get
        {
            if ((uint)index >= (uint)_count) throw new ArgumentOutOfRangeException(nameof(index));
            return _chunks[index >> Shift][index & Mask];
        }
    }

    public void Add(in T item)
    {
        int slot = _count & Mask;
        if (slot == 0 && (_count >> Shift) == _chunks.Count) _chunks.Add(new T[ChunkSize]);
        _chunks[_count >> Shift][slot] = item;
        _count++;
    }

    public void AddRange(List<T> items)
    {
        foreach (var item in System.Runtime.InteropServices.CollectionsMarshal.AsSpan(items)) Add(item);
    }

    public IEnumerator<T> GetEnumerator()
    {
        int remaining = _count;
        foreach (var chunk in _chunks)
        {
            int n = Math.Min(remaining, ChunkSize);
            for (int i = 0; i < n; i++) yield return chunk[i];
            remaining -= n;
            if (remaining == 0) yield break;
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
