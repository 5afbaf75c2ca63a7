using Workbench.Data.Tables;

namespace Workbench.Tests.Data;

/// <summary>The duplicate-key index answers exactly like a plain dictionary whatever the order of the keys: grouped,
/// interleaved groups (switch to the global table), ascending texts, and texts out of order (switch to a dictionary).</summary>
public class KeyIndexTests
{
    static void SameAsDictionary(IReadOnlyList<RowKey> keys, Func<int, bool>? rowHasOtherIssues = null)
    {
        SameAsDictionary(keys, rowHasOtherIssues, replay: false);
        SameAsDictionary(keys, rowHasOtherIssues, replay: true);
    }

    /// <summary>replay: the index keeps no packed keys and gets them back, when groups interleave, from the keys it
    /// added (as RowSink recomputes them from the accepted rows).</summary>
    static void SameAsDictionary(IReadOnlyList<RowKey> keys, Func<int, bool>? rowHasOtherIssues, bool replay)
    {
        var added = new List<RowKey>();
        IEnumerable<long> Replay()
        {
            foreach (var k in added) if (KeyIndex.TryPack(k, out long p)) yield return p;
        }
        var index = replay ? new KeyIndex(Replay) : new KeyIndex();
        index.Reserve(keys.Count);
        var reference = new Dictionary<RowKey, long>();
        for (int i = 0; i < keys.Count; i++)
        {
            long line = i + 2;
            bool other = rowHasOtherIssues?.Invoke(i) ?? false;
            long expected = reference.TryGetValue(keys[i], out long l) ? l : -1;
            long actual = other ? index.Find(keys[i]) : index.AddOrGet(keys[i], line);
            Assert.Equal(expected, actual);
            if (!other && expected < 0) { reference.Add(keys[i], line); added.Add(keys[i]); }
        }
    }

    static RowKey Packed(int account, int product, int day) => new((long)account << 32 | (uint)product, day, null);

    [Fact]
    public void GroupedKeysWithDuplicatesInsideTheGroup()
    {
        var keys = new List<RowKey>();
        for (int a = 0; a < 200; a++)
            for (int m = 0; m < 12; m++)
                for (int p = 0; p < 3; p++) keys.Add(Packed(a, (p * 7 + a) % 5, 738000 + m * 30));
        keys.Insert(50, keys[40]); // duplicate in the same group
        SameAsDictionary(keys);
    }

    [Fact]
    public void InterleavedGroupsSwitchToTheGlobalTable()
    {
        var rng = new Random(7);
        var keys = Enumerable.Range(0, 5000).Select(_ => Packed(rng.Next(300), rng.Next(5), 738000 + rng.Next(40))).ToList();
        SameAsDictionary(keys, i => i % 13 == 0);
    }

    [Fact]
    public void TextKeysInOrderThenOutOfOrder()
    {
        var keys = Enumerable.Range(0, 3000).Select(i => new RowKey(0xFFFFFFFFL << 32, 0, $"A{i:D6}-E1")).ToList();
        keys.Add(keys[10]);                       // duplicate after an ascending run
        keys.Add(new RowKey(0xFFFFFFFFL << 32, 0, "A000005-E0")); // new, out of order
        keys.Add(new RowKey(0xFFFFFFFFL << 32, 0, "A000005-E0")); // and again
        keys.AddRange(keys.Take(100));
        SameAsDictionary(keys, i => i % 17 == 0);
    }

    [Fact]
    public void TextKeysOutOfOrderWithinGroupsStaySortedThenSwitchWhenFarBack()
    {
        // Sorted by account but not within one (contracts: A000001-C02 before A000001-C01), with duplicates near and
        // far back, lookups of rows with other issues, and at the end keys far out of order (the dictionary switch).
        var rng = new Random(11);
        var keys = new List<RowKey>();
        RowKey Text(string s) => new(0xFFFFFFFFL << 32, 0, s);
        for (int a = 0; a < 3000; a++)
            foreach (int c in Enumerable.Range(1, 1 + rng.Next(6)).OrderBy(_ => rng.Next()))
                keys.Add(Text($"A{a:D6}-C{c:D2}"));
        for (int i = 0; i < 200; i++) keys.Insert(20 + rng.Next(keys.Count - 20), keys[rng.Next(keys.Count)]);
        keys.Add(Text("A000000-C00")); // new and far back
        keys.Add(keys[5]);
        keys.AddRange(keys.Take(50));
        SameAsDictionary(keys, i => i % 19 == 0);
    }

    [Fact]
    public void KeysThatDoNotPackStillWork()
    {
        // Ids or numbers too big to pack (negative numbers, ids of 2^21 and more) go to the text/other path.
        var rng = new Random(3);
        var keys = Enumerable.Range(0, 4000).Select(_ => new RowKey((long)rng.Next(3) << 53 | (uint)rng.Next(4), rng.Next(-20, 20), null)).ToList();
        SameAsDictionary(keys);
    }
}
