using Workbench.Domain;
using Workbench.Analytics;
using Workbench.Analytics.Ranking;

namespace Workbench.Cli.Commands;

/// <summary><c>workbench train --data DIR --out DIR</c>: churn and upsell propensity, ranked books, metrics.</summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var d = new DataOptions();
        var algorithm = new Option<PropensityAlgorithm>("--algorithm") { Description = "LightGbm, FastTree or LogisticRegression.", DefaultValueFactory = _ => PipelineOptions.Default.Ranking.Churn.Algorithm };
        var testMonths = new Option<int>("--test-months") { Description = "Latest as-of months held out for evaluation.", DefaultValueFactory = _ => PipelineOptions.Default.Ranking.TestMonths };
        var seed = CliOptions.Seed("Seed of training and of the random baseline.");
        var minPos = new Option<int>("--min-positives") { Description = "Refuse to train a target with fewer positive training examples.", DefaultValueFactory = _ => PipelineOptions.Default.Ranking.Churn.MinPositives };
        var minNeg = new Option<int>("--min-negatives") { Description = "Refuse to train a target with fewer negative training examples.", DefaultValueFactory = _ => PipelineOptions.Default.Ranking.Churn.MinNegatives };
        var minLeaf = new Option<int>("--min-examples-per-leaf") { Description = "Largest minimum leaf size (scaled down to a twentieth of the training rows on small data).", DefaultValueFactory = _ => PipelineOptions.Default.Ranking.Churn.MinExamplesPerLeaf };
        var cmd = new Command("train", "Train calibrated churn and upsell propensity models on earlier snapshots, rank each rep's book on later ones, and write the models, metrics.json and ranked-book.csv.")
        {
            algorithm, testMonths, seed, minPos, minNeg, minLeaf,
        };
        d.AddTo(cmd);
        cmd.SetAction(p =>
        {
            var data = d.Load(p);
            // CLI flags bind onto the library defaults (PipelineOptions.Default), so the same flags give the same run as a spec.
            var defaults = PipelineOptions.Default;
            var options = defaults with
            {
                Seed = p.GetValue(seed),
                Snapshots = d.Snapshots(p),
                Ranking = defaults.Ranking with
                {
                    TestMonths = p.GetValue(testMonths),
                    Churn = defaults.Ranking.Churn with { Algorithm = p.GetValue(algorithm), MinPositives = p.GetValue(minPos), MinNegatives = p.GetValue(minNeg), MinExamplesPerLeaf = p.GetValue(minLeaf) },
                    Upsell = defaults.Ranking.Upsell with { Algorithm = p.GetValue(algorithm), MinPositives = p.GetValue(minPos), MinNegatives = p.GetValue(minNeg), MinExamplesPerLeaf = p.GetValue(minLeaf) },
                },
            };
            var output = CliProgress.Run("labels, features and training", progress => PipelineStages.Train(data, options, d.Io.OutDirectory(p), progress));
            var (result, files) = (output.Ranking, output.Files);
            foreach (var m in new[] { result.Churn, result.Upsell })
                Console.WriteLine($"{m.Target.Name(),-7} AUC {m.Auc:F3}" + (m.OracleAuc is double o ? $" (oracle {o:F3})" : "") +
                    $", PR AUC {m.PrAuc:F3}, NDCG@{result.K} in books {m.NdcgAtK:F3} vs best baseline {m.BestBaseline} {m.BestBaselineNdcgAtK:F3}");
            foreach (var m in new[] { result.Churn, result.Upsell })
                if (m.Weakness is { } why)
                    Console.WriteLine($"  warning: weak {m.Target.Name()} model ({why}); metrics.json records {m.Target.Name()}.weak_model = 1 and promotion refuses it");
            CliCommand.Wrote(files);
            return 0;
        });
        return cmd;
    }
}
