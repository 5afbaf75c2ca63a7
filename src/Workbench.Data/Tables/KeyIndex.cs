namespace Workbench.Data.Tables;

/// <summary>The line on which each row key was first accepted, for duplicate detection. Keys whose parts fit in
/// 64 bits (two pool ids below 2^21 and a number in [0, 2^22): every id/date key of the schemas on realistic data)
/// go to an open-addressing table of longs, one probe sequence per row and no per-entry object; other keys (texts,
/// big ids or numbers) go to a dictionary. A key always lands in the same store, so lookups stay exact.</summary>
internal sealed class KeyIndex
{
    const long Empty = -1; // packed keys are never negative: the top bit is always clear
    long[] slots = new long[16];
    long[] lines = new long[16];
    int packedCount;
    readonly Dictionary<RowKey, long> other = new();

    public KeyIndex() => Array.Fill(slots, Empty);

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
        return slots[i] == p ? lines[i] : -1;
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
        if (slots[i] == p) return lines[i];
        slots[i] = p; lines[i] = line;
        if (++packedCount * 2 > slots.Length) Rehash(slots.Length * 2);
        return -1;
    }

    /// <summary>The slot holding <paramref name="p"/>, or the empty slot where it would go (linear probing).</summary>
    int Slot(long p)
    {
        int mask = slots.Length - 1;
        int i = (int)((ulong)p * 0x9E3779B97F4A7C15UL >> 33) & mask;
        while (true)
        {
            long s = slots[i];
            if (s == p || s == Empty) return i;
            i = (i + 1) & mask;
        }
    }

    void Rehash(int size)
    {
        var oldSlots = slots; var oldLines = lines;
        slots = new long[size]; lines = new long[size];
        Array.Fill(slots, Empty);
        for (int j = 0; j < oldSlots.Length; j++)
        {
            if (oldSlots[j] == Empty) continue;
            int i = Slot(oldSlots[j]);
            slots[i] = oldSlots[j]; lines[i] = oldLines[j];
        }
    }
}
