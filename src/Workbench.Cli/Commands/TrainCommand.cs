using System.CommandLine;
using Workbench.Analytics.Ranking;
using Workbench.Experiments.Pipeline;

namespace Workbench.Cli.Commands;

/// <summary><c>workbench train --data DIR --out DIR</c>: churn and upsell propensity, ranked books, metrics.</summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var d = new DataOptions();
        var algorithm = new Option<PropensityAlgorithm>("--algorithm") { Description = "LightGbm, FastTree or LogisticRegression.", DefaultValueFactory = _ => PropensityAlgorithm.LightGbm };
        var testMonths = new Option<int>("--test-months") { Description = "Latest as-of months held out for evaluation.", DefaultValueFactory = _ => 3 };
        var seed = new Option<int>("--seed") { Description = "Seed of training and of the random baseline.", DefaultValueFactory = _ => 42 };
        var cmd = new Command("train", "Train calibrated churn and upsell propensity models on earlier snapshots, rank each rep's book on later ones, and write the models, metrics.json and ranked-book.csv.")
        {
            algorithm, testMonths, seed,
        };
        d.AddTo(cmd);
        cmd.SetAction(p =>
        {
            var data = d.Load(p);
            var model = new PropensityOptions { Algorithm = p.GetValue(algorithm), Seed = p.GetValue(seed) };
            var options = new RankingOptions { Churn = model, Upsell = model, TestMonths = p.GetValue(testMonths), Seed = p.GetValue(seed) };
            var output = CliProgress.Run("labels, features and training", progress => PipelineStages.Train(data, d.Snapshots(p), null, null, options, p.GetValue(d.Out)!, progress));
            var (result, files) = (output.Ranking, output.Files);
            foreach (var m in new[] { result.Churn, result.Upsell })
                Console.WriteLine($"{m.Target,-7} AUC {m.Auc:F3}" + (m.OracleAuc is double o ? $" (oracle {o:F3})" : "") +
                    $", PR AUC {m.PrAuc:F3}, NDCG@{result.K} in books {m.NdcgAtK:F3} vs best baseline {m.BestBaseline} {m.BestBaselineNdcgAtK:F3}");
            foreach (var f in files) Console.WriteLine("  wrote " + f);
            return 0;
        });
        return cmd;
    }
}
