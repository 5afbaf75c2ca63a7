using Workbench.Analytics.Testing;
using Workbench.Experiments.Artifacts;

namespace Workbench.Cli.Commands;

/// <summary><c>workbench abtest --data DIR --out DIR [--metric ...] [--unit rep|account] [--alpha A] [--seed S]</c>: the A/B
/// readout of the prioritizer rollout (reps.rollout_arm): estimates.json, estimates.csv, balance.csv, power.json, report.html.</summary>
public static class AbTestCommand
{
    public static Command Create()
    {
        var io = new CommandFlags(data: CliOptions.DataDescription, output: "Output folder (replaced atomically).", lenient: true);
        var defaults = new ImpactOptions();
        var metric = new Option<string>("--metric") { Description = "renewal_bookings, total_bookings, churned_revenue or win_rate.", DefaultValueFactory = _ => "renewal_bookings" };
        var unit = new Option<string>("--unit") { Description = "rep or account (standard errors are clustered by rep either way).", DefaultValueFactory = _ => "rep" };
        var alpha = new Option<double>("--alpha") { Description = "Two-sided significance level (intervals at 1 - alpha).", DefaultValueFactory = _ => defaults.Alpha };
        var seed = CliOptions.Seed("Seed of the cluster bootstrap.");
        var bootstrap = new Option<int>("--bootstrap") { Description = "Cluster bootstrap resamples for the CUPED interval (0: skip).", DefaultValueFactory = _ => defaults.BootstrapResamples };
        var targetLift = new Option<double>("--target-lift") { Description = "Lift the design is judged against (fraction, 0.10 = +10%).", DefaultValueFactory = _ => defaults.TargetLift };
        var rolloutStart = CliOptions.DateOption("--rollout-start", "Rollout start (yyyy-MM-dd); default: the planted start in truth/.");
        return CliCommand.Create("abtest", "A/B readout of the prioritizer rollout (reps.rollout_arm): relative lift unadjusted, with CUPED, regression " +
            "adjustment and difference in differences (cluster-robust by rep), a cluster bootstrap interval, balance and sample-ratio checks, power; " +
            "writes estimates.json, estimates.csv, balance.csv, power.json and report.html.",
            io, [metric, unit, alpha, seed, bootstrap, targetLift, rolloutStart], p =>
        {
            var metricText = p.GetValue(metric)!;
            if (!ExperimentNames.TryParseMetric(metricText, out var m))
                throw new OptionsValidationException($"--metric: unknown value '{metricText}'; expected renewal_bookings, total_bookings, churned_revenue or win_rate.");
            var unitText = p.GetValue(unit)!;
            if (!ExperimentNames.TryParseUnit(unitText, out var u))
                throw new OptionsValidationException($"--unit: unknown value '{unitText}'; expected rep or account.");
            var options = new ImpactOptions
            {
                Metric = m, Unit = u, Alpha = p.GetValue(alpha), Seed = p.GetValue(seed), BootstrapResamples = p.GetValue(bootstrap),
                TargetLift = p.GetValue(targetLift), RolloutStart = CliOptions.Date(p, rolloutStart),
            };
            options.Validate();
            var dataset = io.LoadData(p);
            var result = CliProgress.Run("A/B analysis", _ => ImpactAnalysis.Analyze(dataset, options));
            var files = ImpactArtifacts.Write(result, io.OutDirectory(p));

            var c = CultureInfo.InvariantCulture;
            var d = result.Data;
            Console.WriteLine(string.Create(c, $"{ExperimentNames.Name(d.Metric)} per {ExperimentNames.Name(d.Unit)}: {result.SampleRatio.TreatmentClusters} treatment and {result.SampleRatio.ControlClusters} control reps, rollout {d.RolloutStart:yyyy-MM-dd}, {d.PreMonths} months before, {d.PostMonths} after."));
            foreach (var e in result.Estimates)
                Console.WriteLine(string.Create(c, $"  {e.Estimator,-11} lift {ImpactReadout.Percent(e.Lift, 1)}  [{ImpactReadout.Percent(e.CiLow, 1)}, {ImpactReadout.Percent(e.CiHigh, 1)}]  p = {e.PValue:F4}"));
            if (double.IsFinite(result.BootstrapLow))
                Console.WriteLine(string.Create(c, $"  cuped cluster bootstrap interval [{ImpactReadout.Percent(result.BootstrapLow, 1)}, {ImpactReadout.Percent(result.BootstrapHigh, 1)}] ({options.BootstrapResamples} resamples)"));
            Console.WriteLine(string.Create(c, $"  variance reduction: cuped {ImpactReadout.Percent(result.VarianceReductionCuped, 0)}, regression {ImpactReadout.Percent(result.VarianceReductionRegression, 0)}; power for {ImpactReadout.Percent(options.TargetLift, 0)}: {ImpactReadout.Percent(result.Power.PowerCuped, 0)} (MDE {ImpactReadout.Percent(result.Power.MdeCuped, 1)})"));
            if (result.PlantedUplift is { } planted && d.Metric == ExperimentMetric.RenewalBookings)
                Console.WriteLine(string.Create(c, $"  planted uplift {ImpactReadout.Percent(planted, 1)} (on renewal bookings): CUPED interval {(result.Cuped.Covers(planted) ? "covers" : "misses")} it"));
            foreach (var w in result.Warnings) Console.WriteLine("  warning: " + w);
            CliCommand.Wrote(files);
        });
    }
}
