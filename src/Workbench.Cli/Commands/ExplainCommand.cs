using Workbench.Analytics;
using Workbench.Analytics.Explanation;

namespace Workbench.Cli.Commands;

/// <summary><c>workbench explain --model DIR --data DIR --out DIR</c>: narratives for the latest as-of month.</summary>
public static class ExplainCommand
{
    public static Command Create()
    {
        var model = CliOptions.Model("Folder written by 'workbench train'.");
        var dataDir = CliOptions.Data("Dataset folder.");
        var output = CliOptions.Out();
        var topFor = new Option<int>("--reasons-for") { Description = "Reasons told for the score.", DefaultValueFactory = _ => PipelineOptions.Default.Explanation.TopReasonsFor };
        var topAgainst = new Option<int>("--reasons-against") { Description = "Reasons told against it.", DefaultValueFactory = _ => PipelineOptions.Default.Explanation.TopReasonsAgainst };
        return CliCommand.Create("explain", "Explain churn and upsell scores with exact TreeSHAP: reasons for and against in plain sentences with the account's own numbers; writes narratives.json and explain-metrics.json.",
            [model, dataDir, output, topFor, topAgainst], p =>
        {
            var data = DataOptions.LoadDataset(p.GetValue(dataDir)!);
            var options = PipelineOptions.Default.Explanation with { TopReasonsFor = p.GetValue(topFor), TopReasonsAgainst = p.GetValue(topAgainst) };
            var result = CliProgress.Run("explaining", _ => PipelineStages.Explain(p.GetValue(model)!, data, options, p.GetValue(output)!));
            var (report, lf, latest, files) = (result.Report, result.Features, result.AsOfMonth, result.Files);
            Console.WriteLine($"Explained {report.Churn.Narratives.Count:N0} account-products as of {lf.Panel.MonthAt(latest):yyyy-MM-dd}." +
                (report.DriverMatchTopDecile is double rate ? $" Top reason = planted driver in the top decile: {rate:P1} (churn {report.ChurnFidelity!.Rate:P1}, upsell {report.UpsellFidelity!.Rate:P1})." : ""));
            CliCommand.Wrote(files);
        });
    }
}
