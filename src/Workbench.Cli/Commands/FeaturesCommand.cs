using Workbench.Analytics.Features;
using Workbench.Experiments.Artifacts;

namespace Workbench.Cli.Commands;

/// <summary><c>workbench features --data DIR --out DIR</c>: labels and point-in-time features.</summary>
public static class FeaturesCommand
{
    public static Command Create()
    {
        var d = new DataOptions();
        var cmd = new Command("features", "Cut monthly snapshots, label them (upsell/churn/flat) and compute point-in-time features; writes features.csv, feature-registry.json and label-report.json.");
        d.AddTo(cmd);
        cmd.SetAction(p =>
        {
            var data = d.Load(p);
            var lf = CliProgress.Run("labels and features", _ => LabeledFeatures.Build(data, d.Snapshots(p)));
            var files = FeatureArtifacts.Write(lf, d.Io.OutDirectory(p));
            var r = lf.Report.Overall;
            Console.WriteLine($"{lf.Features.RowCount:N0} snapshots x {lf.Features.ColumnCount} features over {lf.Report.ByMonth.Count} as-of months; " +
                $"upsell {r.UpsellRate:P1}, churn {r.ChurnRate:P1}, flat {r.FlatRate:P1}.");
            Console.WriteLine($"label source: {lf.LabelOptions.Source.ToString().ToLowerInvariant()} (churn rate {r.ChurnRate:P1}, upsell rate {r.UpsellRate:P1})");
            foreach (var flag in lf.Report.Flags()) Console.WriteLine("  warning: " + flag);
            CliCommand.Wrote(files);
            return 0;
        });
        return cmd;
    }
}
