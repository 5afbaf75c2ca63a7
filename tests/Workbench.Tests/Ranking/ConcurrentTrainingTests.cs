using System.IO.Compression;
using Workbench.Analytics;
using Workbench.Analytics.Features;
using Workbench.Analytics.Labeling;
using Workbench.Analytics.Prioritization;
using Workbench.Analytics.Ranking;
using Workbench.Data;
using Workbench.Domain;

namespace Workbench.Tests.Ranking;

/// <summary>Training and evaluation on both cores (#22): churn and upsell are fitted, scored and evaluated on two tasks at
/// once, and the account lists of the evaluation are built by ordinal. None of it may change a model byte or a metric.</summary>
public class ConcurrentTrainingTests
{
    static readonly CrmDataset Sample = new CrmCatalog(Path.Combine(TestPaths.RepoRoot, "data-samples", "generated")).Load().Dataset;
    static readonly PipelineOptions Options = TrainingRowSelectionTests.FastOptions(r => r with { MaxTrainingRows = 3_000 });
    static readonly LabeledFeatures Features = AccountPrioritizer.BuildFeatures(Sample, Options);

    /// <summary>Every entry of a saved propensity model (nested zips opened), by name; entry times are left out (ML.NET
    /// stamps its entries with the time of saving).</summary>
    static SortedDictionary<string, byte[]> Content(PropensityModel model)
    {
        using var ms = new MemoryStream();
        model.Save(ms);
        var result = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        AddEntries(ms.ToArray(), "", result);
        return result;
    }

    static void AddEntries(byte[] zipBytes, string prefix, SortedDictionary<string, byte[]> into)
    {
        using var zip = new ZipArchive(new MemoryStream(zipBytes), ZipArchiveMode.Read);
        foreach (var entry in zip.Entries)
        {
            using var s = entry.Open();
            using var copy = new MemoryStream();
            s.CopyTo(copy);
            if (entry.Name.EndsWith(".zip", StringComparison.Ordinal)) AddEntries(copy.ToArray(), prefix + entry.FullName + "/", into);
            else into[prefix + entry.FullName] = copy.ToArray();
        }
    }

    static void AssertSameModel(PropensityModel expected, PropensityModel actual)
    {
        var e = Content(expected);
        var a = Content(actual);
        Assert.Equal(e.Keys, a.Keys);
        Assert.Contains(e.Keys, k => k.EndsWith("Predictor/Model.key", StringComparison.Ordinal));
        foreach (var (name, bytes) in e) Assert.True(bytes.AsSpan().SequenceEqual(a[name]), $"{name} differs");
    }

    [Fact]
    public void The_concurrent_fit_gives_the_models_of_fitting_churn_then_upsell_one_after_the_other()
    {
        var model = AccountPrioritizer.Fit(Features, Options);

        // The sequential reference: the same rows and options, churn fitted, then upsell, on this thread.
        var ranking = Options.Resolved().Ranking;
        var table = Features.Features;
        var split = AccountPrioritizer.SplitOf(Features, ranking);
        var trainRows = AccountPrioritizer.TrainingSample(AccountPrioritizer.RowsIn(table, split.TrainMonths), ranking.MaxTrainingRows, Options.Seed);
        var validRows = AccountPrioritizer.ValidationSample(AccountPrioritizer.RowsIn(table, split.ValidationMonths), table.Snapshots, ranking.MaxValidationRows, Options.Seed);
        var train = TrainingSet.ChurnAndUpsell(table, trainRows, Features.Labels);
        var valid = TrainingSet.ChurnAndUpsell(table, validRows, Features.Labels);
        var churn = PropensityTrainer.Train("churn", train.Churn, valid.Churn, ranking.Churn);
        var upsell = PropensityTrainer.Train("upsell", train.Upsell, valid.Upsell, ranking.Upsell);

        Assert.Equal(churn.TreeCount, model.Churn.TreeCount);
        Assert.Equal(upsell.TreeCount, model.Upsell.TreeCount);
        AssertSameModel(churn, model.Churn);
        AssertSameModel(upsell, model.Upsell);
    }

    [Fact]
    public void Fit_and_evaluate_on_two_tasks_gives_the_model_and_metrics_of_fit_then_evaluate()
    {
        var model = AccountPrioritizer.Fit(Features, Options);
        var expected = PrioritizerEvaluation.Evaluate(model, Features, Sample);
        var steps = new List<string>();
        var (model2, actual) = PrioritizerEvaluation.FitAndEvaluate(Features, Options, Sample, new Steps(steps.Add));

        Assert.Equal(["fitting and scoring the test months", "metrics and books"], steps);
        AssertSameModel(model.Churn, model2.Churn);
        AssertSameModel(model.Upsell, model2.Upsell);
        Assert.Equal(model.UpsellRatio, model2.UpsellRatio);
        foreach (var (e, a) in new[] { (expected.Churn, actual.Churn), (expected.Upsell, actual.Upsell) })
        {
            Assert.Equal(e.Rows, a.Rows);
            Assert.Equal(e.Positives, a.Positives);
            Assert.Equal(e.Auc, a.Auc);
            Assert.Equal(e.PrAuc, a.PrAuc);
            Assert.Equal(e.LogLoss, a.LogLoss);
            Assert.Equal(e.OracleAuc, a.OracleAuc);
            Assert.Equal(e.NdcgAtK, a.NdcgAtK);
            Assert.Equal(e.PrecisionAtK, a.PrecisionAtK);
            Assert.Equal(e.RecallAtK, a.RecallAtK);
            Assert.Equal(e.OracleNdcgAtK, a.OracleNdcgAtK);
            Assert.Equal(e.BaselineNdcgAtK, a.BaselineNdcgAtK);
            Assert.Equal(e.Reliability, a.Reliability);
            Assert.Equal(e.Gain, a.Gain);
            Assert.Equal(e.Roc, a.Roc);
            Assert.Equal(e.PrecisionRecall, a.PrecisionRecall);
            Assert.Equal(e.Weakness, a.Weakness);
        }
        Assert.Equal(expected.Products, actual.Products);
        Assert.Equal(expected.Books, actual.Books);
        Assert.NotEmpty(actual.Books);
    }

    /// <summary>The account lists, oracle and baselines by ordinal equal those of the string-keyed grouping they replaced
    /// (computed here as it was: LINQ groups by (month, account), reps by id, hazards by (account id, product id, month)).</summary>
    [Fact]
    public void The_ordinal_account_lists_and_oracle_give_the_metrics_of_the_string_keyed_grouping()
    {
        var model = AccountPrioritizer.Fit(Features, Options);
        var result = PrioritizerEvaluation.Evaluate(model, Features, Sample);
        var table = Features.Features;
        var labels = Features.Labels;
        var panel = Features.Panel;
        var rows = AccountPrioritizer.RowsIn(table, result.Split.TestMonths);
        var scored = TrainingSet.ChurnAndUpsell(table, rows, labels);
        var p = model.Churn.Score(scored.Churn).Probability;
        Assert.NotNull(Sample.Truth);
        var risks = new Dictionary<(string, string, DateOnly), TrueRisk>();
        foreach (var r in Sample.Truth!.Risks) risks[(r.AccountId, r.ProductId, r.Month)] = r;
        var snapshotOptions = Features.SnapshotOptions;
        var po = rows.Select(r =>
        {
            var s = table.Snapshots[r];
            double survive = 1;
            for (int m = s.AsOfMonth + snapshotOptions.GapMonths; m < s.AsOfMonth + snapshotOptions.GapMonths + snapshotOptions.HorizonMonths; m++)
                if (risks.TryGetValue((panel.AccountIds[s.Account], panel.ProductIds[s.Product], panel.MonthAt(m)), out var risk)) survive *= 1 - risk.PChurn;
            return 1 - survive;
        }).ToArray();
        var y = rows.Select(r => labels[r].Outcome == Outcome.Churn).ToArray();
        Assert.Equal(ClassificationMetrics.RocAuc(po, y), result.Churn.OracleAuc);
        Assert.Equal(ClassificationMetrics.RocAuc(p, y), result.Churn.Auc);

        var books = new RepBooks(Sample.Book);
        var groups = rows.Select((r, k) => (r, k))
            .GroupBy(x => (table.Snapshots[x.r].AsOfMonth, table.Snapshots[x.r].Account))
            .Select(g => (g.Key.AsOfMonth, Rep: books.RepOf(panel.AccountIds[g.Key.Account], panel.MonthAt(g.Key.AsOfMonth)),
                Score: g.Sum(x => p[x.k] * labels[x.r].RunRate * 1.0), Oracle: g.Sum(x => po[x.k] * labels[x.r].RunRate * 1.0),
                Gain: g.Sum(x => labels[x.r].Outcome == Outcome.Churn ? labels[x.r].RunRate : 0), RunRate: g.Sum(x => labels[x.r].RunRate),
                Usage: g.Select(x => (double)table[x.r, "utilization_change_3m"]).Where(v => !double.IsNaN(v)).DefaultIfEmpty(0).Average()))
            .ToList();
        var lists = groups.Select((a, i) => (a, i)).GroupBy(x => (x.a.AsOfMonth, x.a.Rep), x => x.i)
            .OrderBy(g => g.Key.AsOfMonth).ThenBy(g => g.Key.Rep, StringComparer.Ordinal).ToList();
        Assert.True(lists.Count > 1);
        double Ndcg(Func<int, double> score) => RankingMetrics.MeanOverLists(lists,
            idx => RankingMetrics.NdcgAtK(idx.Select(score).ToArray(), idx.Select(i => groups[i].Gain).ToArray(), Options.Ranking.K));
        Assert.Equal(Ndcg(i => groups[i].Score), result.Churn.NdcgAtK);
        Assert.Equal(Ndcg(i => groups[i].Oracle), result.Churn.OracleNdcgAtK);
        Assert.Equal(Ndcg(i => groups[i].RunRate), result.Churn.BaselineNdcgAtK["current_spend"]);
        Assert.Equal(Ndcg(i => -groups[i].Usage), result.Churn.BaselineNdcgAtK["usage_change"]);
        Assert.Equal(RankingMetrics.MeanOverLists(lists, idx => RankingMetrics.PrecisionAtK(idx.Select(i => groups[i].Score).ToArray(),
            idx.Select(i => groups[i].Gain > 0).ToArray(), Options.Ranking.K)), result.Churn.PrecisionAtK);
    }

    [Fact]
    public void The_first_computations_failure_is_the_one_reported_as_in_a_sequential_run()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => AccountPrioritizer.RunBoth<int, int>(
            () => throw new InvalidOperationException("first"), () => throw new ArgumentException("second")));
        Assert.Equal("first", ex.Message);
        var second = Assert.Throws<ArgumentException>(() => AccountPrioritizer.RunBoth<int, int>(() => 1, () => throw new ArgumentException("second")));
        Assert.Equal("second", second.Message);
        Assert.Equal((1, "b"), AccountPrioritizer.RunBoth(() => 1, () => "b"));
    }

    sealed class Steps(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
