namespace Workbench.Analytics.Testing;

/// <summary>The plain-language readout of an A/B result, as a sales leader would receive it: what was measured, the
/// lift with its range, whether it is distinguishable from no effect, how trustworthy the test was.</summary>
public static class ImpactReadout
{
    /// <summary>A fraction as a percentage without the invariant culture's space ("12.5%", "-3%").</summary>
    public static string Percent(double fraction, int decimals) =>
        double.IsFinite(fraction) ? (fraction * 100).ToString(decimals == 0 ? "0" : "0." + new string('0', decimals), CultureInfo.InvariantCulture) + "%" : "n/a";

    /// <summary>Short paragraphs (one string each) built from the result's own numbers.</summary>
    public static IReadOnlyList<string> Paragraphs(ImpactResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var c = CultureInfo.InvariantCulture;
        var d = result.Data;
        var e = result.Cuped;
        string metric = d.Metric switch
        {
            ExperimentMetric.RenewalBookings => "renewal bookings",
            ExperimentMetric.TotalBookings => "total bookings",
            ExperimentMetric.ChurnedRevenue => "churned revenue",
            _ => "win rate",
        };
        string unit = d.Unit == AnalysisUnit.Rep ? "per rep" : "per account";
        int gT = d.Clusters(Domain.RolloutArm.Treatment), gC = d.Clusters(Domain.RolloutArm.Control);
        var list = new List<string>
        {
            string.Create(c, $"What we tested: {gT} reps used the prioritizer from {d.RolloutStart:MMMM yyyy} and {gC} reps did not (chosen at random). We compare {metric} {unit} over the {d.PostMonths} months since, adjusting for each {(d.Unit == AnalysisUnit.Rep ? "rep" : "account")}'s own {metric} in the {d.PreMonths} months before (CUPED)."),
        };
        bool significant = e.PValue < result.Options.Alpha;
        string direction = e.Lift >= 0 ? "higher" : "lower";
        list.Add(string.Create(c,
            $"Result: {metric} were {ImpactReadout.Percent(Math.Abs(e.Lift), 1)} {direction} with the prioritizer (95% range {ImpactReadout.Percent(e.CiLow, 1)} to {ImpactReadout.Percent(e.CiHigh, 1)}; p = {e.PValue:F3}). ") +
            (significant
                ? (d.Metric == ExperimentMetric.ChurnedRevenue == e.Lift < 0
                    ? "This is unlikely to be chance: the rollout helped."
                    : "This is unlikely to be chance: the rollout moved the metric the wrong way.")
                : "The range includes zero, so we cannot yet tell this apart from chance."));
        list.Add(string.Create(c,
            $"Other estimates: without adjustment {ImpactReadout.Percent(result.Unadjusted.Lift, 1)} [{ImpactReadout.Percent(result.Unadjusted.CiLow, 1)}, {ImpactReadout.Percent(result.Unadjusted.CiHigh, 1)}]; difference in differences {ImpactReadout.Percent(result.DifferenceInDifferences.Lift, 1)} [{ImpactReadout.Percent(result.DifferenceInDifferences.CiLow, 1)}, {ImpactReadout.Percent(result.DifferenceInDifferences.CiHigh, 1)}]. Adjusting for the pre-period removed {ImpactReadout.Percent(result.VarianceReductionCuped, 0)} of the noise."));
        var p = result.Power;
        list.Add(p.Underpowered
            ? string.Create(c, $"Can we trust a \"no\"? Not fully: this test had a {ImpactReadout.Percent(p.PowerCuped, 0)} chance of detecting a true {ImpactReadout.Percent(p.TargetLift, 0)} lift. Smallest lift it reliably detects: {ImpactReadout.Percent(p.MdeCuped, 1)}. To detect {ImpactReadout.Percent(p.TargetLift, 0)}, plan for about {p.RepsPerArmCuped} reps per arm over the same period.")
            : string.Create(c, $"The test was large enough: it had a {ImpactReadout.Percent(p.PowerCuped, 0)} chance of detecting a true {ImpactReadout.Percent(p.TargetLift, 0)} lift (smallest reliably detected lift {ImpactReadout.Percent(p.MdeCuped, 1)})."));
        if (result.SampleRatio.Mismatch)
            list.Add("Warning: the arms are not the sizes the plan called for (sample-ratio mismatch); check how reps were assigned before acting on this.");
        if (result.PlantedUplift is { } planted && d.Metric == ExperimentMetric.RenewalBookings)
            list.Add(string.Create(c, $"(Generated data: the planted effect is {ImpactReadout.Percent(planted, 1)}; the interval {(e.Covers(planted) ? "contains" : "misses")} it.)"));
        return list;
    }
}
