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
        SameAsDictionary(keys, rowHasOtherIssues, replay: true, textReplay: true);
    }

    /// <summary>replay: the index keeps no packed keys and gets them back, when groups interleave, from the keys it
    /// added (as RowSink recomputes them from the accepted rows).</summary>
    /// <summary>textReplay: text keys are not kept while they ascend; the index reads their texts back by line (as the
    /// Parquet reader reads them again from the file), and each read-back is counted.</summary>
    static int SameAsDictionary(IReadOnlyList<RowKey> keys, Func<int, bool>? rowHasOtherIssues, bool replay, bool textReplay = false)
    {
        var added = new List<RowKey>();
        IEnumerable<long> Replay()
        {
            foreach (var k in added) if (KeyIndex.TryPack(k, out long p)) yield return p;
        }
        var index = replay ? new KeyIndex(Replay) : new KeyIndex();
        var textOfLine = new Dictionary<long, string>();
        int readBacks = 0;
        if (textReplay) index.ReplayTexts(lines => { readBacks++; return lines.Select(l => textOfLine[l]).ToList(); });
        index.Reserve(keys.Count);
        var reference = new Dictionary<RowKey, long>();
        for (int i = 0; i < keys.Count; i++)
        {
            long line = i + 2;
            bool other = rowHasOtherIssues?.Invoke(i) ?? false;
            long expected = reference.TryGetValue(keys[i], out long l) ? l : -1;
            long actual = other ? index.Find(keys[i]) : index.AddOrGet(keys[i], line);
            Assert.Equal(expected, actual);
            if (!other && expected < 0) { reference.Add(keys[i], line); added.Add(keys[i]); if (keys[i].S is { } text) textOfLine[line] = text; }
        }
        return readBacks;
    }

    [Fact]
    public void AscendingTextKeysAreNotReadBack()
    {
        var keys = Enumerable.Range(0, 5000).Select(i => new RowKey(0xFFFFFFFFL << 32, 0, $"A{i / 7:D6}-E{i % 7:D4}")).ToList();
        keys.Insert(800, keys[799]); // a duplicate of the key just before: found without reading back
        Assert.Equal(0, SameAsDictionary(keys, i => i % 23 == 0, replay: true, textReplay: true));
        keys.Add(keys[10]);          // far back: the keys so far are read back once
        keys.Add(keys[4000]);
        keys.Add(new RowKey(0xFFFFFFFFL << 32, 0, "A000000-E9999"));
        Assert.Equal(1, SameAsDictionary(keys, i => i % 23 == 0, replay: true, textReplay: true));
    }

    [Fact]
    public void TextReplayOnlyBeforeTheFirstKey()
    {
        var index = new KeyIndex();
        index.AddOrGet(new RowKey(0xFFFFFFFFL << 32, 0, "A"), 2);
        Assert.Throws<InvalidOperationException>(() => index.ReplayTexts(lines => []));
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
