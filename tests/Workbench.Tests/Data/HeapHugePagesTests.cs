using System.Runtime.InteropServices;
using Workbench.Data.Io;

namespace Workbench.Tests.Data;

/// <summary>The load's huge-page advice (Linux, THP mode "madvise"): the managed heap's range is found, advised while a
/// load runs and taken back when the last concurrent load ends. Elsewhere the advice is off and these checks do not apply.
/// Not beside other tests: their loads share the advice count.</summary>
[Collection(Name)]
public class HeapHugePagesTests
{
    public const string Name = "load huge pages";

    static bool Applies => OperatingSystem.IsLinux() && File.Exists("/sys/kernel/mm/transparent_hugepage/enabled")
        && File.ReadAllText("/sys/kernel/mm/transparent_hugepage/enabled").Contains("[madvise]", StringComparison.Ordinal)
        && Environment.GetEnvironmentVariable("WORKBENCH_LOAD_HUGEPAGES") != "0";

    static ulong AddressOf(object array)
    {
        var h = GCHandle.Alloc(array, GCHandleType.Pinned);
        try { return (ulong)h.AddrOfPinnedObject(); } finally { h.Free(); }
    }

    /// <summary>The VmFlags of the mapping holding an address ("hg": MADV_HUGEPAGE, "nh": MADV_NOHUGEPAGE).</summary>
    static string[] FlagsAt(ulong address)
    {
        bool inside = false;
        foreach (var line in File.ReadLines("/proc/self/smaps"))
        {
            int dash = line.IndexOf('-');
            int space = line.IndexOf(' ');
            if (dash > 0 && space > dash && ulong.TryParse(line.AsSpan(0, dash), System.Globalization.NumberStyles.HexNumber, null, out var start)
                && ulong.TryParse(line.AsSpan(dash + 1, space - dash - 1), System.Globalization.NumberStyles.HexNumber, null, out var end))
                inside = start <= address && address < end;
            else if (inside && line.StartsWith("VmFlags:", StringComparison.Ordinal))
                return line["VmFlags:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        }
        throw new InvalidOperationException($"no mapping holds {address:X}");
    }

    [Fact]
    public void A_load_with_huge_pages_reads_the_same_rows_and_leaves_no_advice_behind()
    {
        var dir = TestPaths.NewTempDir("load-huge-pages");
        new Workbench.Data.CrmCatalog(dir).Write(CrmFixture.Small(), new Workbench.Data.WriteOptions { Format = Workbench.Data.DataFormat.Parquet });
        var plain = new Workbench.Data.CrmCatalog(dir).Load().Dataset;
        var advised = new Workbench.Data.CrmCatalog(dir).Load(new Workbench.Data.LoadOptions { HugePages = true }).Dataset;
        Assert.Equal(plain.Spend, advised.Spend);
        Assert.Equal(plain.Usage, advised.Usage);
        Assert.Equal(plain.Engagement, advised.Engagement);
        Assert.Equal(plain.Truth!.Risks, advised.Truth!.Risks);
        Assert.Equal(plain.Accounts, advised.Accounts);
        if (!Applies) return;
        var rows = new long[1_000_000];
        Assert.DoesNotContain("hg", FlagsAt(AddressOf(rows)));
        GC.KeepAlive(rows);
    }

    [Fact]
    public void The_heap_range_holds_large_and_small_objects()
    {
        if (!OperatingSystem.IsLinux()) return;
        var (start, length) = HeapHugePages.HeapRange();
        Assert.True(length > 0);
        var large = new long[1_000_000];
        var small = new byte[64];
        foreach (var a in new[] { AddressOf(large), AddressOf(small) })
            Assert.InRange(a, (ulong)start, (ulong)start + length - 1);
    }

    [Fact]
    public void The_heap_is_advised_while_any_load_runs_and_not_after()
    {
        if (!Applies) return;
        var rows = new long[1_000_000]; // on the large object heap, as the loaded rows are
        ulong at = AddressOf(rows);
        var first = HeapHugePages.Begin();
        var second = HeapHugePages.Begin(); // a second load beside the first
        Assert.Contains("hg", FlagsAt(at));
        first.Dispose();
        first.Dispose(); // disposing twice must not end the other load's advice
        Assert.Contains("hg", FlagsAt(at));
        second.Dispose();
        Assert.DoesNotContain("hg", FlagsAt(at));
        Assert.Contains("nh", FlagsAt(at));
        GC.KeepAlive(rows);
    }
}

[CollectionDefinition(HeapHugePagesTests.Name, DisableParallelization = true)]
public class HeapHugePagesCollection;
