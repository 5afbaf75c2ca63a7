namespace Workbench.Data.Tables;

/// <summary>The line on which each row key was first accepted, for duplicate detection, built to avoid a random memory
/// access per row (a hash table of millions of keys misses the cache on every probe and dominated the load).
/// Files are written grouped (all rows of an account together) or sorted (ids in order), so:
/// <list type="bullet">
/// <item>keys that pack in 64 bits (two pool ids below 2^21 and a number in [0, 2^21): the id/date keys of the schemas)
/// are checked against a small table of the current group (first key part); a group that comes back after another
/// one started switches the index to one global table built from every key so far;</item>
/// <item>other keys (texts such as a table's own unique id) need no lookup while each key sorts after the previous one;
/// a key slightly out of order is looked up and inserted in the sorted keys near their end; the first one far out of
/// order switches to a dictionary built from every key so far.</item>
/// </list>
/// Either way the answer is exact; only the cost depends on the order of the file.</summary>
internal sealed class KeyIndex
{
    const long Empty = -1; // packed keys are never negative: the top bit is always clear

    /// <summary>Key and line side by side, so a probe touches one cache line.</summary>
    struct Entry { public long Key; public long Line; }

    // Packed keys: the line of every accepted key in order, the current group's table, the groups already left behind.
    // The keys themselves are not kept (8 bytes a row, a fresh array as large as the table): the rare file whose
    // groups interleave gets them back from the rows accepted so far (replayPacked).
    readonly Func<IEnumerable<long>>? replayPacked;
    LineList packedLines = new();
    int packedCount;
    Entry[] local = NewSlots(64);
    readonly List<int> localUsed = new();
    long currentGroup = -1;
    readonly System.Collections.BitArray closedGroups = new(1 << 21);
    Entry[]? global; // once groups interleave
    int globalCount;

    // Other keys: in order while they ascend, then a dictionary.
    readonly KeyList otherKeys = new();
    readonly LineList otherLines = new();
    RowKey lastOther;
    Dictionary<RowKey, long>? otherIndex;

    int reserved;

    /// <summary>An index whose packed keys, when groups interleave, are recomputed by <paramref name="replayPacked"/>:
    /// the packed key of every key added so far, in the order added (null: kept in an array as they are added).</summary>
    public KeyIndex(Func<IEnumerable<long>>? replayPacked = null)
    {
        this.replayPacked = replayPacked;
        if (replayPacked is null) packedKeys = new long[16];
    }

    long[]? packedKeys;

    /// <summary>Expected row count: the in-order key arrays are sized for it when the first packed key arrives.</summary>
    public void Reserve(int expected) => reserved = expected;

    internal static bool TryPack(in RowKey key, out long packed)
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
    public long Find(in RowKey key) => TryPack(key, out long p) ? FindPacked(p, add: false, 0) : FindOther(key, add: false, 0);

    /// <summary>Adds the key with its line unless present; returns the existing line, or -1 when added.</summary>
    public long AddOrGet(in RowKey key, long line) => TryPack(key, out long p) ? FindPacked(p, add: true, line) : FindOther(key, add: true, line);

    long FindPacked(long p, bool add, long line)
    {
        if (global is null)
        {
            long group = p >> 42;
            if (group != currentGroup)
            {
                if (closedGroups[(int)group]) BuildGlobal();
                else
                {
                    if (currentGroup >= 0) closedGroups[(int)currentGroup] = true;
                    foreach (int i in localUsed) local[i].Key = Empty;
                    localUsed.Clear();
                    currentGroup = group;
                }
            }
        }
        if (global is not null)
        {
            int g = Slot(global, p);
            if (global[g].Key == p) return global[g].Line;
            if (!add) return -1;
            global[g] = new Entry { Key = p, Line = line };
            if (++globalCount * 2 > global.Length) global = Rehash(global, global.Length * 2);
            Append(p, line);
            return -1;
        }
        int s = Slot(local, p);
        if (local[s].Key == p) return local[s].Line;
        if (!add) return -1;
        local[s] = new Entry { Key = p, Line = line };
        localUsed.Add(s);
        if (localUsed.Count * 2 > local.Length)
        {
            local = Rehash(local, local.Length * 2);
            localUsed.Clear();
            for (int i = 0; i < local.Length; i++) if (local[i].Key != Empty) localUsed.Add(i);
        }
        Append(p, line);
        return -1;
    }

    void Append(long p, long line)
    {
        if (packedKeys is not null)
        {
            if (packedCount == packedKeys.Length)
            {
                int size = Math.Max(packedKeys.Length * 2, reserved);
                Array.Resize(ref packedKeys, size);
            }
            packedKeys[packedCount] = p;
        }
        packedLines.Add(line);
        packedCount++;
    }

    void BuildGlobal()
    {
        int size = 64;
        while (size < packedCount * 2L + 64) size <<= 1;
        global = NewSlots(size);
        int i = 0;
        foreach (long key in packedKeys is not null ? packedKeys.Take(packedCount) : replayPacked!())
        {
            if (i == packedCount) throw new InvalidOperationException($"The key index replayed more than the {packedCount} keys it was given.");
            global[Slot(global, key)] = new Entry { Key = key, Line = packedLines[i] };
            i++;
        }
        if (i != packedCount) throw new InvalidOperationException($"The key index replayed {i} of the {packedCount} keys it was given.");
        globalCount = packedCount;
        packedKeys = null; packedLines = new(); packedCount = 0; // no longer needed
        local = [];
    }

    /// <summary>With <see cref="ReplayTexts"/>: the number of text keys added while they ascend (only the last one and the
    /// lines are kept).</summary>
    int replayedCount;

    /// <summary>Text keys read back from their lines (<see cref="ReplayTexts"/>): while the keys ascend, none but the last is
    /// kept (a table's unique ids of millions of rows are not held alive by the index); the first key that does not sort
    /// after the last one switches to a dictionary of every key so far, read back from the input.</summary>
    Func<IReadOnlyList<long>, IEnumerable<string>>? replayTexts;
    RowKey replayShape;

    /// <summary>Keys whose only text part is the table's own unique id (same id and number parts on every row) are, while
    /// they ascend, kept as their lines only; <paramref name="texts"/> gives back the texts of the keys on the given lines
    /// (in that order) if a key out of order needs them. Only before any key is added.</summary>
    public void ReplayTexts(Func<IReadOnlyList<long>, IEnumerable<string>> texts)
    {
        if (otherKeys.Count > 0 || replayedCount > 0 || otherIndex is not null) throw new InvalidOperationException("The index already has keys.");
        replayTexts = texts;
    }

    long FindOtherReplayed(in RowKey key, bool add, long line)
    {
        if (replayedCount == 0 || (key.Ids == replayShape.Ids && key.N == replayShape.N && key.S is not null && string.CompareOrdinal(key.S, lastOther.S) > 0))
        {
            if (replayedCount == 0 && key.S is null) { SwitchFromReplay(); return FindOther(key, add, line); }
            if (!add) return -1;
            if (replayedCount == 0) replayShape = key;
            otherLines.Add(line); lastOther = key; replayedCount++;
            return -1;
        }
        if (key.Ids == replayShape.Ids && key.N == replayShape.N && string.Equals(key.S, lastOther.S, StringComparison.Ordinal))
            return otherLines[otherLines.Count - 1];
        SwitchFromReplay();
        return FindOther(key, add, line);
    }

    /// <summary>Out of order: every key so far into the dictionary, the texts read back from their lines.</summary>
    void SwitchFromReplay()
    {
        var replay = replayTexts!;
        replayTexts = null;
        otherIndex = new Dictionary<RowKey, long>(Math.Max(16, replayedCount * 2));
        if (replayedCount == 0) return;
        var lines = new long[otherLines.Count];
        for (int i = 0; i < lines.Length; i++) lines[i] = otherLines[i];
        int k = 0;
        foreach (var text in replay(lines))
        {
            if (k >= lines.Length) throw new InvalidOperationException("The replayed keys do not match the index.");
            otherIndex.Add(new RowKey(replayShape.Ids, replayShape.N, text), lines[k++]);
        }
        if (k != lines.Length) throw new InvalidOperationException($"The replay gave {k} keys for {lines.Length} lines.");
        otherLines.Clear();
        replayedCount = 0;
    }

    long FindOther(in RowKey key, bool add, long line)
    {
        if (replayTexts is not null) return FindOtherReplayed(key, add, line);
        if (otherIndex is null)
        {
            if (otherKeys.Count == 0 || Compare(key, lastOther) > 0)
            {
                // After every key so far, so new.
                if (!add) return -1;
                if (otherKeys.Count == 0 && reserved > otherKeys.Capacity) otherKeys.Capacity = reserved;
                otherKeys.Add(key); otherLines.Add(line); lastOther = key;
                return -1;
            }
            // Slightly out of order (ids sorted per account but not within one, such as contracts): the keys so far
            // stay sorted; the key's place is found by galloping back from the end, and it is inserted there while
            // that place is near the end. Far back, inserting would move too much: switch to a dictionary.
            int at = LowerBoundNearEnd(key);
            if (at >= 0)
            {
                if (at < otherKeys.Count && Compare(otherKeys[at], key) == 0) return otherLines[at];
                if (!add) return -1;
                otherKeys.Insert(at, key); otherLines.Insert(at, line);
                return -1;
            }
            otherIndex = new Dictionary<RowKey, long>(otherKeys.Count * 2);
            for (int i = 0; i < otherKeys.Count; i++) otherIndex.Add(otherKeys[i], otherLines[i]);
            otherKeys.Clear(); otherLines.Clear();
        }
        if (otherIndex.TryGetValue(key, out long first)) return first;
        if (add) otherIndex.Add(key, line);
        return -1;
    }

    /// <summary>Farthest from the end an out-of-order key may be inserted into the sorted keys.</summary>
    const int MaxInsertDistance = 4096;

    /// <summary>Index of the first sorted key not below <paramref name="key"/>, or -1 when it is more than
    /// <see cref="MaxInsertDistance"/> from the end.</summary>
    int LowerBoundNearEnd(in RowKey key)
    {
        int count = otherKeys.Count;
        // Gallop back: the answer is in (count - step, count - step/2] once the key at count - step is below it.
        int hi = count, step = 1;
        while (true)
        {
            int probe = count - step;
            if (probe < 0 || Compare(otherKeys[probe], key) < 0)
            {
                int lo = Math.Max(probe + 1, 0); // keys[lo..hi) are the candidates; keys[hi..] are >= key
                while (lo < hi)
                {
                    int mid = lo + (hi - lo) / 2;
                    if (Compare(otherKeys[mid], key) < 0) lo = mid + 1; else hi = mid;
                }
                return count - lo > MaxInsertDistance ? -1 : lo;
            }
            hi = probe;
            if (step > MaxInsertDistance) return -1;
            step *= 2;
        }
    }

    static int Compare(in RowKey x, in RowKey y)
    {
        int c = string.CompareOrdinal(x.S, y.S);
        if (c != 0) return c;
        c = x.Ids.CompareTo(y.Ids);
        return c != 0 ? c : x.N.CompareTo(y.N);
    }

    static int Slot(Entry[] slots, long p)
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

    /// <summary>The lines of the keys in order. Rows are usually accepted on consecutive lines, so the lines are a
    /// first line plus the index, stored as an array only once they stop being consecutive (a rejected row, a
    /// multi-line record, an insertion out of order): 8 bytes per row less for the big tables.</summary>
    /// <summary>Text keys in order. A table's own id key has the same id and number parts on every row, so only the
    /// texts are stored (8 bytes a key instead of 24) until a key with other parts arrives.</summary>
    sealed class KeyList
    {
        readonly List<string?> texts = new();
        long commonIds, commonN;
        List<(long Ids, long N)>? parts;

        public int Count => texts.Count;

        public int Capacity { get => texts.Capacity; set => texts.Capacity = value; }

        public RowKey this[int i] => parts is null ? new(commonIds, commonN, texts[i]) : new(parts[i].Ids, parts[i].N, texts[i]);

        public void Add(in RowKey key) => Insert(texts.Count, key);

        public void Insert(int at, in RowKey key)
        {
            if (texts.Count == 0) { commonIds = key.Ids; commonN = key.N; }
            if (parts is null && (key.Ids != commonIds || key.N != commonN))
            {
                parts = new List<(long, long)>(Math.Max(16, texts.Count * 2));
                for (int i = 0; i < texts.Count; i++) parts.Add((commonIds, commonN));
            }
            texts.Insert(at, key.S);
            parts?.Insert(at, (key.Ids, key.N));
        }

        public void Clear() { texts.Clear(); texts.TrimExcess(); parts = null; }
    }

    sealed class LineList
    {
        long first;
        int count;
        long[]? lines;

        public int Count => count;

        public long this[int i] => lines is null ? first + i : lines[i];

        public void Add(long line)
        {
            if (lines is null)
            {
                if (count == 0) first = line;
                if (line == first + count) { count++; return; }
                Materialize(count + 1);
            }
            if (count == lines!.Length) Array.Resize(ref lines, Math.Max(lines.Length * 2, 16));
            lines[count++] = line;
        }

        public void Insert(int at, long line)
        {
            if (at == count) { Add(line); return; }
            if (lines is null) Materialize(count + 1);
            if (count == lines!.Length) Array.Resize(ref lines, Math.Max(lines.Length * 2, 16));
            Array.Copy(lines, at, lines, at + 1, count - at);
            lines[at] = line;
            count++;
        }

        public void Clear() { lines = null; count = 0; first = 0; }

        void Materialize(int atLeast)
        {
            var a = new long[Math.Max(atLeast * 2, 16)];
            for (int i = 0; i < count; i++) a[i] = first + i;
            lines = a;
        }
    }

    static Entry[] NewSlots(int size)
    {
        var a = new Entry[size];
        for (int i = 0; i < a.Length; i++) a[i].Key = Empty;
        return a;
    }

    static Entry[] Rehash(Entry[] old, int size)
    {
        var slots = NewSlots(size);
        foreach (var e in old)
            if (e.Key != Empty) slots[Slot(slots, e.Key)] = e;
        return slots;
    }
}
