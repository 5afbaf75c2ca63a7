using System.Text;

namespace Workbench.Cli.Commands;

/// <summary><c>workbench runs list|show|compare|reproduce</c>: the recorded experiment runs.</summary>
public static class RunsCommand
{
    public static Command Create() =>
        CliCommand.Group("runs", "List, show, compare and reproduce recorded experiment runs.", List(), Show(), Compare(), Reproduce());

    static Command List()
    {
        var io = new CommandFlags(store: true);
        var cmd = new Command("list", "Every run, oldest first: id, name, status (running, succeeded, failed, unfinished when its process died, corrupt), start, duration, churn and upsell AUC.") { };
        io.AddTo(cmd);
        cmd.SetAction(p =>
        {
            var runStore = io.OpenStore(p);
            var entries = runStore.List();
            if (entries.Count == 0) { Console.WriteLine($"No runs in {runStore.Layout.RunsDirectory}."); return 0; }
            var rows = entries.Select(e => new[]
            {
                e.Id, e.Record?.Name ?? "-", e.StateText, e.Record?.StartedUtc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "-",
                Duration(e.Record), Metric(e.Record, "churn.auc"), Metric(e.Record, "upsell.auc"),
            }).ToList();
            Console.Write(TextTable(["id", "name", "status", "started (UTC)", "duration", "churn.auc", "upsell.auc"], rows));
            foreach (var e in entries.Where(e => e.Problem is not null && e.State != RunState.Failed))
                Console.WriteLine($"  {e.Id}: {e.StateText}: {e.Problem}");
            return 0;
        });
        return cmd;
    }

    static Command Show()
    {
        var run = new Argument<string>("run") { Description = "Run id, a unique prefix of one, or 'latest'." };
        var io = new CommandFlags(store: true);
        var cmd = new Command("show", "Everything a run recorded: spec hash, seed, data fingerprint, code version, environment, metrics, promotion floors, artifacts.") { run };
        io.AddTo(cmd);
        cmd.SetAction(p =>
        {
            var runStore = io.OpenStore(p);
            var e = runStore.Find(p.GetValue(run)!);
            Console.WriteLine($"run      {e.Id}");
            Console.WriteLine($"folder   {Path.GetFullPath(runStore.Layout.RunDirectory(e.Id))}");
            Console.WriteLine($"status   {e.StateText}" + (e.Problem is not null ? $" ({e.Problem})" : ""));
            if (e.Record is not { } r) return 0;
            Console.WriteLine($"name     {r.Name}");
            Console.WriteLine($"started  {r.StartedUtc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC, duration {Duration(r)}");
            Console.WriteLine($"seed     {r.Seed}");
            Console.WriteLine($"spec     sha256 {r.SpecHash}");
            if (r.Data is { } d) Console.WriteLine($"data     {d.Path} sha256 {d.Sha256} ({d.Tables.Count} files)");
            Console.WriteLine($"code     {(r.Code is { } c ? c.Commit + (c.Dirty ? " (uncommitted changes)" : "") : "unknown (not a git checkout)")}");
            Console.WriteLine("environment");
            foreach (var (k, v) in r.Environment.OrderBy(kv => kv.Key, StringComparer.Ordinal)) Console.WriteLine($"  {k,-24} {v}");
            Console.WriteLine("metrics");
            foreach (var (k, v) in r.Metrics.OrderBy(kv => kv.Key, StringComparer.Ordinal)) Console.WriteLine($"  {k,-44} {RunComparison.Format(v)}");
            if (r.PromotionFloors.Count > 0)
            {
                Console.WriteLine("promotion floors");
                foreach (var (k, floor) in r.PromotionFloors.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    double? v = r.Metrics.TryGetValue(k, out var x) ? x : null;
                    Console.WriteLine($"  {k,-44} >= {RunComparison.Format(floor)}: {(v >= floor ? "met" : "not met")} ({RunComparison.Format(v)})");
                }
            }
            Console.WriteLine("artifacts");
            foreach (var a in r.Artifacts) Console.WriteLine("  " + a);
            if (r.Error is not null) Console.WriteLine($"error    {r.Error}");
            return 0;
        });
        return cmd;
    }

    static Command Compare()
    {
        var a = new Argument<string>("run-a") { Description = "First run (id, prefix or 'latest')." };
        var b = new Argument<string>("run-b") { Description = "Second run." };
        var io = new CommandFlags(store: true);
        var cmd = new Command("compare", "Two runs side by side: every metric with the difference (B - A), and the parameters, data and code that differ.") { a, b };
        io.AddTo(cmd);
        cmd.SetAction(p =>
        {
            var runStore = io.OpenStore(p);
            RunRecord Record(string id)
            {
                var e = runStore.Find(id);
                return e.Record ?? throw new WorkbenchException($"Run {e.Id} has no readable record: {e.Problem}");
            }
            var cmp = RunComparison.Of(Record(p.GetValue(a)!), Record(p.GetValue(b)!));
            Console.WriteLine($"A = {cmp.A.Id} ({cmp.A.Name}, {cmp.A.Status.ToString().ToLowerInvariant()})");
            Console.WriteLine($"B = {cmp.B.Id} ({cmp.B.Name}, {cmp.B.Status.ToString().ToLowerInvariant()})");
            Console.Write(TextTable(["metric", "A", "B", "B - A"],
                cmp.Metrics.Select(m => new[] { m.Metric, RunComparison.Format(m.A), RunComparison.Format(m.B), m.Difference is double dd ? dd.ToString("+0.####;-0.####;0", CultureInfo.InvariantCulture) : "-" }).ToList()));
            if (cmp.Parameters.Count == 0) Console.WriteLine("Parameters, data and code: identical.");
            else
            {
                Console.WriteLine("Parameters that differ:");
                Console.Write(TextTable(["parameter", "A", "B"], cmp.Parameters.Select(d => new[] { d.Path, d.A ?? "-", d.B ?? "-" }).ToList()));
            }
            return 0;
        });
        return cmd;
    }

    static Command Reproduce()
    {
        var run = new Argument<string>("run") { Description = "Run to reproduce (id, prefix or 'latest')." };
        var io = new CommandFlags(store: true);
        var cmd = new Command("reproduce", "Re-run a succeeded run from its recorded spec on its recorded data (recorded as a new run) and check that every metric " +
            "and every text artifact is identical and the data fingerprint unchanged. Exit 0 when identical, 1 when anything differs (listed).") { run };
        io.AddTo(cmd);
        cmd.SetAction(p =>
        {
            var runStore = io.OpenStore(p);
            var original = runStore.Find(p.GetValue(run)!);
            var r = CliProgress.Run($"reproducing {original.Id}", progress =>
                RunReproduction.Of(runStore, original.Id, new Progress<RunProgress>(x => progress.Report(x.Fraction))));
            Console.WriteLine($"reproduced {r.Original.Id} as {r.Reproduction.Id}");
            Console.WriteLine($"  data:      {(r.SameData ? "same fingerprint" : $"CHANGED ({r.Original.Data?.Sha256} -> {r.Reproduction.Data?.Sha256})")}");
            Console.WriteLine($"  metrics:   {r.Comparison.Metrics.Count - r.MetricsThatDiffer.Count} of {r.Comparison.Metrics.Count} identical");
            foreach (var m in r.MetricsThatDiffer) Console.WriteLine($"    differs: {m.Metric} {RunComparison.Format(m.A)} -> {RunComparison.Format(m.B)}");
            var compared = r.Artifacts.Where(a => a.Identical is not null).ToList();
            Console.WriteLine($"  artifacts: {compared.Count(a => a.Identical == true)} of {compared.Count} files byte-identical" +
                (r.Artifacts.Any(a => a.Identical is null) ? $" ({r.Artifacts.Count(a => a.Identical is null)} model zips not compared byte-wise: they store write times; their scores are in ranked-book.csv)" : ""));
            foreach (var a in r.Artifacts.Where(a => a.Identical == false)) Console.WriteLine($"    differs: {a.Path}");
            foreach (var d in r.Comparison.Parameters) Console.WriteLine($"  parameter differs: {d.Path}: {d.A ?? "-"} -> {d.B ?? "-"}");
            Console.WriteLine(r.Identical ? "identical" : "NOT identical");
            return r.Identical ? 0 : 1;
        });
        return cmd;
    }

    static string Metric(RunRecord? r, string name) => r is not null && r.Metrics.TryGetValue(name, out var v) ? v.ToString("F3", CultureInfo.InvariantCulture) : "-";

    static string Duration(RunRecord? r) =>
        r?.FinishedUtc is { } end ? (end - r.StartedUtc).TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) + " s" : "-";

    /// <summary>A plain aligned table (stays readable when redirected to a file or a test).</summary>
    static string TextTable(IReadOnlyList<string> header, IReadOnlyList<string[]> rows)
    {
        var widths = header.Select((h, j) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[j].Length))).ToArray();
        var sb = new StringBuilder();
        void Line(IReadOnlyList<string> cells) => sb.Append(string.Join("  ", cells.Select((c, j) => c.PadRight(widths[j]))).TrimEnd()).Append('\n');
        Line(header);
        Line(widths.Select(w => new string('-', w)).ToArray());
        foreach (var r in rows) Line(r);
        return sb.ToString();
    }
}
