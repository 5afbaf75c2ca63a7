using System.CommandLine;
using Workbench.Analytics.Explanation;
using Workbench.Analytics.Features;
using Workbench.Analytics.Ranking;
using Workbench.Experiments.Artifacts;

namespace Workbench.Cli.Commands;

/// <summary><c>workbench explain --model DIR --data DIR --out DIR</c>: narratives for the latest as-of month.</summary>
public static class ExplainCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Folder written by 'workbench train'.", Required = true };
        var dataDir = new Option<string>("--data") { Description = "Dataset folder.", Required = true };
        var output = new Option<string>("--out") { Description = "Output folder.", Required = true };
        var topFor = new Option<int>("--reasons-for") { Description = "Reasons told for the score.", DefaultValueFactory = _ => 3 };
        var topAgainst = new Option<int>("--reasons-against") { Description = "Reasons told against it.", DefaultValueFactory = _ => 2 };
        var cmd = new Command("explain", "Explain churn and upsell scores with exact TreeSHAP: reasons for and against in plain sentences with the account's own numbers; writes narratives.json and explain-metrics.json.")
        {
            model, dataDir, output, topFor, topAgainst,
        };
        cmd.SetAction(p =>
        {
            var dir = p.GetValue(model)!;
            var spec = TrainingSpec.Read(dir);
            PropensityModel Load(string file) { using var s = File.OpenRead(Path.Combine(dir, file)); return PropensityModel.Load(s, Path.Combine(dir, file)); }
            var churn = Load(RankingArtifacts.ChurnModelFile);
            var upsell = Load(RankingArtifacts.UpsellModelFile);
            var (churnBackground, upsellBackground) = BackgroundRows.Read(dir);
            var data = DataOptions.LoadDataset(p.GetValue(dataDir)!);
            var lf = LabeledFeatures.Build(data, spec.Snapshots, spec.Labels);
            int latest = lf.Features.Snapshots.Max(s => s.AsOfMonth);
            var options = new NarrativeOptions { TopReasonsFor = p.GetValue(topFor), TopReasonsAgainst = p.GetValue(topAgainst) };
            var report = CliProgress.Run("explaining", _ => ExplanationStage.Run(churn, churnBackground, upsell, upsellBackground, lf, latest, data, options));
            var files = ExplanationArtifacts.Write(report, p.GetValue(output)!);
            Console.WriteLine($"Explained {report.Churn.Narratives.Count:N0} account-products as of {lf.Panel.MonthAt(latest):yyyy-MM-dd}." +
                (report.DriverMatchTopDecile is double rate ? $" Top reason = planted driver in the top decile: {rate:P1} (churn {report.ChurnFidelity!.Rate:P1}, upsell {report.UpsellFidelity!.Rate:P1})." : ""));
            foreach (var f in files) Console.WriteLine("  wrote " + f);
            return 0;
        });
        return cmd;
    }
}
