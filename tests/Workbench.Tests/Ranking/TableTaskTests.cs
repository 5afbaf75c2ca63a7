using System.Globalization;
using System.Text;
using System.Text.Json;
using Workbench.Analytics.Tables;
using Workbench.Cli.Commands;

namespace Workbench.Tests.Ranking;

/// <summary>Table tasks (one row per entity with an outcome) through the CLI alone: import, train as a recorded run,
/// promote, score; the model file round-trips; bad targets and thin data are refused with located messages.</summary>
public class TableTaskTests
{
    static (int Code, string Out, string Err) Run(params string[] args) => CliCapture.Run(args);

    [Fact]
    public void Telco_imports_trains_as_a_table_task_promotes_and_scores_through_the_cli()
    {
        var dir = TestPaths.NewTempDir("table-telco");
        var data = Path.Combine(dir, "telco");
        var store = Path.Combine(dir, "store");
        var mapping = Path.Combine(TestPaths.RepoRoot, "data-samples", "mappings", "telco.json");
        Assert.Equal(0, Run("import", "--mapping", mapping, "--source", TestPaths.Dataset("ibm-telco-customer-churn"), "--out", data).Code);

        var (code, stdout, err) = Run("table", "train", "--data", data, "--target", "churned", "--seed", "42", "--store", store);
        Assert.True(code == 0, err);
        Assert.Contains("5,282 train / 1,761 test rows (seeded stratified split)", stdout);
        var runDir = Directory.GetDirectories(Path.Combine(store, "runs")).Single();
        using (var run = JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, "run.json"))))
        {
            var metrics = run.RootElement.GetProperty("metrics");
            Assert.Equal("succeeded", run.RootElement.GetProperty("status").GetString());
            Assert.True(metrics.GetProperty("table.auc").GetDouble() >= 0.83, $"test ROC AUC {metrics.GetProperty("table.auc").GetDouble()}");
            Assert.Equal(0, metrics.GetProperty("table.weak_model").GetDouble());
            Assert.Equal(1_761, metrics.GetProperty("table.test_rows").GetDouble());
        }
        Assert.True(File.Exists(Path.Combine(runDir, "model", "table.model.zip")));

        var (pcode, pout, perr) = Run("promote", "latest", "--as", "telco", "--store", store);
        Assert.True(pcode == 0, perr);
        Assert.Contains("as 'telco'", pout);

        var scored = Path.Combine(dir, "scored");
        var (scode, _, serr) = Run("table", "score", "--model", "telco", "--data", data, "--out", scored, "--store", store);
        Assert.True(scode == 0, serr);
        var lines = File.ReadAllLines(Path.Combine(scored, "scores.csv"));
        Assert.Equal("id,probability,rank,reason_1,reason_1_contribution,reason_2,reason_2_contribution,reason_3,reason_3_contribution", lines[0]);
        Assert.Equal(7_044, lines.Length);
        var probabilities = lines.Skip(1).Select(l => double.Parse(l.Split(',')[1], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(probabilities.OrderByDescending(p => p), probabilities);
        Assert.All(lines.Skip(1).Take(50), l => Assert.NotEqual("", l.Split(',')[3]));

        // The prioritizer's scorer refuses nothing silently: a table model is scored by 'table score' only.
        var (wrong, _, wrongErr) = Run("table", "score", "--model", "nope", "--data", data, "--out", scored, "--store", store);
        Assert.Equal(2, wrong);
        Assert.Contains("Promoted: telco", wrongErr);
    }

    static EntityTable Synthetic(int n, int seed, string source = "synthetic.csv")
    {
        var rng = new Random(seed);
        var ids = new List<string>(); var rows = new List<IReadOnlyList<string?>>();
        for (int i = 0; i < n; i++)
        {
            double x = rng.NextDouble(), z = rng.NextDouble();
            var plan = rng.Next(3) switch { 0 => "basic", 1 => "plus", _ => "pro" };
            double logit = -1 + 3 * (x - 0.5) + (plan == "basic" ? 1 : -0.5);
            bool y = rng.NextDouble() < 1 / (1 + Math.Exp(-logit));
            ids.Add("r" + i.ToString(CultureInfo.InvariantCulture));
            rows.Add([x.ToString("R", CultureInfo.InvariantCulture), i % 17 == 0 ? null : z.ToString("R", CultureInfo.InvariantCulture), plan, y ? "yes" : "no"]);
        }
        return new EntityTable(ids, ["x", "z", "plan", "left"], rows, source);
    }

    [Fact]
    public void A_saved_table_model_loads_back_and_gives_the_same_scores_and_reasons()
    {
        var table = Synthetic(1_200, 5);
        var options = new TableTaskOptions { Target = "left", Seed = 9 };
        var split = TableSplitter.Split(table, options);
        var model = TableEstimator.Fit(split.Train, options);
        var metrics = TableEvaluation.Evaluate(model, split.Test);
        Assert.True(metrics.RocAuc > 0.6, $"AUC {metrics.RocAuc}");
        using var ms = new MemoryStream();
        model.Save(ms);
        var bytes = ms.ToArray();
        ms.Position = 0;
        var back = TableModel.Load(ms);
        Assert.Equal(model.Score(split.Test), back.Score(split.Test), new ScoreComparer());
        Assert.Equal(model.FeatureColumns, back.FeatureColumns);
        Assert.Equal(model.TreeCount, back.TreeCount);
        Assert.Throws<WorkbenchException>(() => Workbench.Analytics.Lifetime.LifetimeModel.Load(new MemoryStream(bytes)));
    }

    sealed class ScoreComparer : IEqualityComparer<TableScore>
    {
        public bool Equals(TableScore? a, TableScore? b) => a!.Id == b!.Id && a.Probability == b.Probability && a.Reasons.SequenceEqual(b.Reasons);
        public int GetHashCode(TableScore s) => s.Id.GetHashCode(StringComparison.Ordinal);
    }

    [Fact]
    public void A_misspelled_target_gets_a_suggestion_and_an_unreadable_outcome_names_the_row_column_and_value()
    {
        var table = Synthetic(200, 1);
        var ex = Assert.Throws<OptionsValidationException>(() => TableSplitter.Split(table, new TableTaskOptions { Target = "lef" }));
        Assert.Contains("synthetic.csv: the target column 'lef' is not a column of the table (did you mean 'left'?)", ex.Message);

        var rows = table.Rows.ToList();
        rows[3] = [rows[3][0], rows[3][1], rows[3][2], "maybe"];
        var bad = Assert.Throws<WorkbenchException>(() => TableSplitter.Split(table with { Rows = rows }, new TableTaskOptions { Target = "left" }));
        Assert.Contains("synthetic.csv: row 'r3', column 'left': value 'maybe'", bad.Message);
    }

    [Fact]
    public void Thin_data_is_refused_with_the_counts_and_a_weak_model_is_flagged_and_not_promoted()
    {
        var dir = TestPaths.NewTempDir("table-thin");
        var sb = new StringBuilder("id,x,plan,left\n");
        var rng = new Random(3);
        for (int i = 0; i < 120; i++) sb.Append(CultureInfo.InvariantCulture, $"c{i},{rng.NextDouble():R},{(i % 2 == 0 ? "a" : "b")},{(rng.NextDouble() < 0.3 ? "yes" : "no")}\n");
        File.WriteAllText(Path.Combine(dir, "leads.csv"), sb.ToString());
        var store = Path.Combine(dir, "store");
        var (code, _, err) = Run("table", "train", "--data", Path.Combine(dir, "leads.csv"), "--target", "left", "--store", store);
        Assert.Equal(2, code);
        Assert.Contains("positive and", err);
        Assert.Contains("training needs at least 40 positives", err);

        // Pure noise with the minimums lowered: the model trains, is flagged weak, and promotion refuses it.
        var (code2, out2, err2) = Run("table", "train", "--data", Path.Combine(dir, "leads.csv"), "--target", "left", "--min-positives", "5", "--min-negatives", "5", "--store", store);
        Assert.True(code2 == 0, err2);
        var weak = out2.Contains("warning: weak model", StringComparison.Ordinal);
        var runDir = Directory.GetDirectories(Path.Combine(store, "runs")).Order(StringComparer.Ordinal).Last();
        using var run = JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, "run.json")));
        Assert.Equal(weak ? 1 : 0, run.RootElement.GetProperty("metrics").GetProperty("table.weak_model").GetDouble());
        if (weak)
        {
            var (pcode, _, perr) = Run("promote", Path.GetFileName(runDir), "--as", "leads", "--store", store);
            Assert.Equal(2, pcode);
            Assert.Contains("the table model is weak", perr);
        }
    }
}
