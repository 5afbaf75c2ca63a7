using System.CommandLine;
using Workbench.Analytics.Features;
using Workbench.Analytics.Ranking;
using Workbench.Analytics.Labeling;
using Workbench.Experiments.Artifacts;

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
            var lf = CliProgress.Run("labels and features", _ => LabeledFeatures.Build(data, d.Snapshots(p)));
            var result = CliProgress.Run("training", _ => RankingStage.Run(lf, data, options));
            var outDir = p.GetValue(d.Out)!;
            var files = RankingArtifacts.Write(result, outDir).ToList();
            files.Add(BackgroundRows.Write(lf, result.Split.TrainMonths, outDir, options.Seed));
            files.Add(TrainingSpec.Write(outDir, lf.SnapshotOptions, lf.LabelOptions, options));
            foreach (var m in new[] { result.Churn, result.Upsell })
                Console.WriteLine($"{m.Target,-7} AUC {m.Auc:F3}" + (m.OracleAuc is double o ? $" (oracle {o:F3})" : "") +
                    $", PR AUC {m.PrAuc:F3}, NDCG@{result.K} in books {m.NdcgAtK:F3} vs best baseline {m.BestBaseline} {m.BestBaselineNdcgAtK:F3}");
            foreach (var f in files) Console.WriteLine("  wrote " + f);
            return 0;
        });
        return cmd;
    }
}
