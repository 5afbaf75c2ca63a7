namespace Workbench.Data.Tables;

/// <summary>The line on which each row key was first accepted, for duplicate detection. Keys whose parts fit in
/// 64 bits (two pool ids below 2^21 and a number in [0, 2^22): every id/date key of the schemas on realistic data)
/// go to an open-addressing table of longs, one probe sequence per row and no per-entry object; other keys (texts,
/// big ids or numbers) go to a dictionary. A key always lands in the same store, so lookups stay exact.</summary>
internal sealed class KeyIndex
{
    const long Empty = -1; // packed keys are never negative: the top bit is always clear

    /// <summary>Key and line side by side, so a probe touches one cache line.</summary>
    struct Entry { public long Key; public long Line; }

    Entry[] slots = NewSlots(16);
    int packedCount;
    readonly Dictionary<RowKey, long> other = new();

    public void Reserve(int expected)
    {
        int size = 16;
        while (size < expected * 2L && size < (1 << 30)) size <<= 1;
        if (size > slots.Length) Rehash(size);
    }

    static bool TryPack(in RowKey key, out long packed)
    {
        long a = key.Ids >> 32, b = key.Ids & 0xFFFFFFFFL;
        if (key.S is null && (ulong)a < (1UL << 21) && (ulong)b < (1UL << 21) && (ulong)key.N < (1UL << 21))
        {
            packed = a << 42 | b << 21 | key.N;
            return true;
        }
        packed = 0;
        return false;
    }

    /// <summary>The line of the row that already has this key, or -1.</summary>
    public long Find(in RowKey key)
    {
        if (!TryPack(key, out long p)) return other.TryGetValue(key, out long l) ? l : -1;
        int i = Slot(p);
        return slots[i].Key == p ? slots[i].Line : -1;
    }

    /// <summary>Adds the key with its line unless present; returns the existing line, or -1 when added.</summary>
    public long AddOrGet(in RowKey key, long line)
    {
        if (!TryPack(key, out long p))
        {
            ref long existing = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(other, key, out bool found);
            if (found) return existing;
            existing = line;
            return -1;
        }
        int i = Slot(p);
        ref var e = ref slots[i];
        if (e.Key == p) return e.Line;
        e.Key = p; e.Line = line;
        if (++packedCount * 2 > slots.Length) Rehash(slots.Length * 2);
        return -1;
    }

    /// <summary>The slot holding <paramref name="p"/>, or the empty slot where it would go (linear probing).</summary>
    int Slot(long p)
    {
        int mask = slots.Length - 1;
        // murmur3's finalizer: ids and dates are small dense numbers, which plain multiplicative hashing clusters.
        ulong h = (ulong)p;
        h ^= h >> 33; h *= 0xFF51AFD7ED558CCDUL; h ^= h >> 33; h *= 0xC4CEB9FE1A85EC53UL; h ^= h >> 33;
        int i = (int)h & mask;
        while (true)
        {
            long s = slots[i].Key;
            if (s == p || s == Empty) return i;
            i = (i + 1) & mask;
        }
    }

    static Entry[] NewSlots(int size)
    {
        var a = new Entry[size];
        for (int i = 0; i < a.Length; i++) a[i].Key = Empty;
        return a;
    }

    void Rehash(int size)
    {
        var old = slots;
        slots = NewSlots(size);
        foreach (var e in old)
            if (e.Key != Empty) slots[Slot(e.Key)] = e;
    }
}
