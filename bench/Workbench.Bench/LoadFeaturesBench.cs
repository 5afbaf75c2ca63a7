using System.Security.Cryptography;
using Workbench.Analytics;
using Workbench.Analytics.Features;
using Workbench.Analytics.Labeling;
using Workbench.Analytics.Prioritization;
using Workbench.Data;
using Workbench.Domain;
using Workbench.Experiments.Specs;
using static Workbench.Bench.BenchCommon;

namespace Workbench.Bench;

/// <summary>
/// The first two stages of <c>workbench run</c> and <c>workbench score</c> alone, in one process: loading the tables each
/// command loads, then the monthly panel and the features it builds (run: the panel releasing the fact tables, then the
/// labeled features of the rows training and evaluation read; score: the scoring features of the last month and the one
/// before). Prints each step's wall and CPU seconds and a SHA-256 of what the step produced (feature values, labels,
/// snapshots), so two builds can be compared for speed and for identical output:
///   dotnet bench/Workbench.Bench/bin/Release/net10.0/Workbench.Bench.dll load-features run SPEC [repeats=1]
///   dotnet bench/Workbench.Bench/bin/Release/net10.0/Workbench.Bench.dll load-features score DATA [repeats=1]
/// (run: the spec's data path and options, as <c>workbench run SPEC</c>; score: the default pipeline options, which
/// are the sample spec's.)
/// </summary>
static class LoadFeaturesBench
{
    public static int Run(string[] args)
    {
        if (args.Length < 2 || args[0] is not ("run" or "score"))
        {
            Console.WriteLine("usage: load-features run SPEC [repeats] | load-features score DATA [repeats] [--keep MONTHS]");
            return 2;
        }
        int repeats = IntArg(args, 2, 1);
        if (args.Contains("--per-table"))
        {
            using var tableSampler = args.Contains("--alloc-types") ? new AllocationSampler() : null;
            allocations = tableSampler;
            return PerTable(args[0], args[1]);
        }
        digestRows = args.Contains("--digest-rows");
        using var sampler = args.Contains("--alloc-types") ? new AllocationSampler() : null;
        allocations = sampler;
        for (int r = 0; r < repeats; r++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            if (args[0] == "run") RunStages(args[1]); else ScoreStages(args[1], KeepArg(args));
            Console.WriteLine(string.Create(Inv, $"  peak WS {Mb(PeakWorkingSet()):F0} MB; {Load()}"));
        }
        return 0;
    }

    static void Step(string name, Action action, Func<string>? digest = null)
    {
        int g0 = GC.CollectionCount(0), g1 = GC.CollectionCount(1), g2 = GC.CollectionCount(2);
        var pause = GC.GetTotalPauseDuration();
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        var (wall, cpu) = Time(action);
        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        // Collections during the step (gen0/gen1/gen2 counts, pause seconds): a load's CPU includes the GC's.
        string gc = string.Create(Inv, $"GC {GC.CollectionCount(0) - g0}/{GC.CollectionCount(1) - g1}/{GC.CollectionCount(2) - g2} pause {(GC.GetTotalPauseDuration() - pause).TotalSeconds:F2} s, allocated {Mb(allocated):F0} MB");
        Console.WriteLine(string.Create(Inv, $"  {name,-22} wall {wall,7:F2} s, CPU {cpu,7:F2} s, WS {Mb(Environment.WorkingSet),6:F0} MB, {gc}{(digest is null ? "" : ", " + digest())}"));
        if (allocations is not null) Console.WriteLine(allocations.TakeReport());
    }

    static bool digestRows;

    /// <summary>With --alloc-types: the bytes allocated in each step by type, sampled (<see cref="AllocationSampler"/>).</summary>
    static AllocationSampler? allocations;

    /// <summary>With --digest-rows: a SHA-256 of every loaded row (each record's text, table by table, truth included), so
    /// two builds' loads compare row for row, not only by what the panel and features read.</summary>
    static string RowsDigest(CrmDataset d)
    {
        if (!digestRows) return "";
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add<T>(IReadOnlyList<T> rows)
        {
            h.AppendData(BitConverter.GetBytes(rows.Count));
            foreach (var r in rows) h.AppendData(System.Text.Encoding.UTF8.GetBytes(r!.ToString()!));
        }
        Add(d.Accounts); Add(d.Products); Add(d.Contracts); Add(d.Spend); Add(d.Usage); Add(d.Engagement); Add(d.Bookings); Add(d.Reps);
        Add(d.Book); Add(d.Opportunities); Add(d.StageHistory); Add(d.Actions); Add(d.Transactions); Add(d.OpportunityActivities);
        if (d.Truth is { } t) { Add(t.Risks); Add(t.Segments); Add(t.RepSkills); Add(t.RepBiases); Add(t.ActionResponses); Add(t.OpportunityWeeks); Add(t.ActionValues); }
        return $", rows sha256 {Convert.ToHexString(h.GetHashAndReset())[..16]}";
    }

    static void RunStages(string specPath)
    {
        var spec = ExperimentSpec.Load(specPath);
        // The tables `workbench run` reads without the optional sections (ExperimentRunner.TablesRead).
        string[] unread = [CrmSchema.Opportunities, CrmSchema.StageHistory, CrmSchema.OpportunityActivities, CrmSchema.Actions];
        var tables = CrmSchema.Tables.Select(t => t.Name).Except(unread).ToArray();
        string[] truthTables = [TruthSchema.Risks, TruthSchema.Segments, TruthSchema.RepSkills, TruthSchema.RepBiases, TruthSchema.ActionResponses];
        CrmDataset data = null!;
        Step("load", () => { using (LoadGcExperiment.Begin()) data = new CrmCatalog(spec.Data.FullPath).Load(new LoadOptions
        {
            Mode = ValidationMode.Strict, Tables = tables, TruthTables = truthTables, Progress = new Clock(),
            HugePages = Environment.GetEnvironmentVariable("LOAD7_RUN_HUGEPAGES") == "1", // off in `run` (its peak budget)
        }).Dataset; }, () => $"rows {data.Spend.Count + data.Usage.Count + data.Engagement.Count + data.Bookings.Count:N0}{RowsDigest(data)}");
        var options = spec.Options with { LabelSource = spec.Options.LabelSource ?? Labeler.AutoSource(data) };
        MonthlyPanel panel = null!;
        Step("panel", () => panel = MonthlyPanel.BuildReleasing(ref data,
            () => GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: false)), () => PanelDigest(panel));
        Step("collect", () => GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true));
        LabeledFeatures lf = null!;
        Step("labels and features", () => lf = AccountPrioritizer.BuildFeatures(data, options, panel),
            () => $"{lf.Features.RowCount:N0} rows of {lf.SnapshotCount:N0}, {FeatureDigest(lf.Features, lf.Labels.Select(l => ((int)l.Outcome, l.RunRate)))}");
    }

    /// <summary>--keep N: LoadOptions.KeepRecentMonths as `workbench score` passes it (the model's look-back, 16 by default).</summary>
    static int? KeepArg(string[] args)
    {
        int i = Array.IndexOf(args, "--keep");
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], Inv) : null;
    }

    static void ScoreStages(string dataDir, int? keepRecentMonths)
    {
        string[] onlyActions = [CrmSchema.StageHistory, CrmSchema.Actions, CrmSchema.OpportunityActivities];
        CrmDataset data = null!;
        Step("load", () => { using (LoadGcExperiment.Begin()) data = new CrmCatalog(dataDir).Load(new LoadOptions
        {
            Mode = ValidationMode.Strict, IncludeTruth = false, Tables = CrmSchema.Tables.Select(t => t.Name).Except(onlyActions).ToArray(),
            HugePages = true, // as BatchScoring, whose whole command is advised (WORKBENCH_LOAD_HUGEPAGES=0 turns it off there and here)
            KeepRecentMonths = keepRecentMonths, Progress = new Clock(),
        }).Dataset; }, () => $"rows {data.Spend.Count + data.Usage.Count + data.Engagement.Count + data.Bookings.Count:N0}{RowsDigest(data)}");
        var options = new PipelineOptions();
        ScoringFeatures sf = null!;
        Step("scoring features", () => sf = ScoringFeatures.Build(data, null, options.Snapshots, options.Labels, options.Features),
            () => $"{sf.Features.RowCount:N0} rows, {FeatureDigest(sf.Features, sf.RunRates.Select(r => (0, r)))}");
    }

    /// <summary>Each table loaded alone, one after another (no foreign-key targets, so a little less work than in the
    /// full load): which tables the load's CPU goes to.</summary>
    static int PerTable(string mode, string path)
    {
        var dir = mode == "run" ? ExperimentSpec.Load(path).Data.FullPath : path;
        var catalog = new CrmCatalog(dir);
        foreach (var t in CrmSchema.Tables.Select(t => t.Name).Where(t => File.Exists(catalog.PathOf(t, DataFormat.Parquet))))
            Step(t, () => catalog.Load(new LoadOptions { Tables = [t], IncludeTruth = false }));
        if (mode == "run")
            foreach (var t in new[] { TruthSchema.Risks, TruthSchema.Segments, TruthSchema.RepSkills, TruthSchema.RepBiases, TruthSchema.ActionResponses })
                Step("truth/" + t, () => catalog.Load(new LoadOptions { Tables = [CrmSchema.Products], TruthTables = [t] }));
        return 0;
    }

    /// <summary>Prints the time since the load began when each table finishes.</summary>
    sealed class Clock : IProgress<string>
    {
        readonly System.Diagnostics.Stopwatch sw = System.Diagnostics.Stopwatch.StartNew();
        readonly TimeSpan cpu0 = Cpu();
        public void Report(string value) { lock (sw) Console.WriteLine(string.Create(Inv, $"    +{sw.Elapsed.TotalSeconds,6:F2} s (CPU {(Cpu() - cpu0).TotalSeconds,6:F2} s) {value}")); }
    }

    static string PanelDigest(MonthlyPanel panel)
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void D(double[] a) => h.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(a.AsSpan()));
        void F(float[] a) => h.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(a.AsSpan()));
        D(panel.Spend); D(panel.SpendPrefix); D(panel.SeatsPurchased); D(panel.SeatsUsed); D(panel.ActiveUsers); D(panel.Utilization); D(panel.KeyActions);
        F(panel.AddOns); F(panel.Downgrades); F(panel.Cancellations); F(panel.NonRenewals); F(panel.PriceChanges); D(panel.UpsellAmount); D(panel.ChurnAmount);
        F(panel.Emails); F(panel.Meetings); F(panel.Tickets); F(panel.Trainings); F(panel.ChampionChanges); F(panel.SurveyCount);
        D(panel.TicketSeverity); D(panel.SurveySum); F(panel.Purchases);
        h.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(panel.PairStart.AsSpan()));
        foreach (var list in panel.ContractsByPair) foreach (var c in list) h.AppendData(System.Text.Encoding.UTF8.GetBytes(c.ContractId));
        return $"{panel.Pairs.Count:N0} pairs, panel sha256 {Convert.ToHexString(h.GetHashAndReset())[..16]}";
    }

    static string FeatureDigest(FeatureTable table, IEnumerable<(int Outcome, double Value)> perRow)
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        h.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(table.Values.AsSpan()));
        // The as-of month as an index of the whole data (a scoring panel starts HistoryOffset months after the data's first
        // month), so digests of a look-back panel and of the whole-history panel compare.
        int offset = table.Panel.HistoryOffset;
        foreach (var s in table.Snapshots) { h.AppendData(BitConverter.GetBytes(s.Pair)); h.AppendData(BitConverter.GetBytes(s.AsOfMonth + offset)); }
        foreach (var (o, v) in perRow) { h.AppendData(BitConverter.GetBytes(o)); h.AppendData(BitConverter.GetBytes(v)); }
        return $"sha256 {Convert.ToHexString(h.GetHashAndReset())[..16]}";
    }
}
