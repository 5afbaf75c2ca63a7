using Workbench.Analytics;
using Workbench.Analytics.Explanation;

namespace Workbench.Cli.Commands;

/// <summary><c>workbench explain --model DIR --data DIR --out DIR</c>: narratives for the latest as-of month.</summary>
public static class ExplainCommand
{
    public static Command Create()
    {
        var io = new CommandFlags(model: "Folder written by 'workbench train'.", data: "Dataset folder.", output: "Output folder.");
        var topFor = new Option<int>("--reasons-for") { Description = "Reasons told for the score.", DefaultValueFactory = _ => PipelineOptions.Default.Explanation.TopReasonsFor };
        var topAgainst = new Option<int>("--reasons-against") { Description = "Reasons told against it.", DefaultValueFactory = _ => PipelineOptions.Default.Explanation.TopReasonsAgainst };
        return CliCommand.Create("explain", "Explain churn and upsell scores with exact TreeSHAP: reasons for and against in plain sentences with the account's own numbers; writes narratives.json and explain-metrics.json.",
            io, [topFor, topAgainst], p =>
        {
            var timings = StageTimings.FromEnvironment();
            timings?.Report("loading data");
            var data = io.LoadData(p);
            var options = PipelineOptions.Default.Explanation with { TopReasonsFor = p.GetValue(topFor), TopReasonsAgainst = p.GetValue(topAgainst) };
            var result = CliProgress.Run("explaining", _ => PipelineStages.Explain(io.ModelArgument(p), data, options, io.OutDirectory(p), timings));
            var (report, lf, latest, files) = (result.Summary, result.Features, result.AsOfMonth, result.Files);
            Console.WriteLine($"Explained {report.RowsExplained:N0} account-products as of {lf.Panel.MonthAt(latest):yyyy-MM-dd}." +
                (report.DriverMatchTopDecile is double rate ? $" Top reason = planted driver in the top decile: {rate:P1} (churn {report.ChurnFidelity!.Rate:P1}, upsell {report.UpsellFidelity!.Rate:P1})." : ""));
            CliCommand.Wrote(files);
        });
    }
}
