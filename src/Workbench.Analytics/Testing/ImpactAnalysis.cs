#pragma warning disable CS1573 // records document only the parameters that need explaining

namespace Workbench.Analytics.Testing;

/// <summary>Options of an A/B readout of the prioritizer rollout. Immutable; <see cref="Validate"/> lists every problem.</summary>
public sealed record ImpactOptions
{
    public ExperimentMetric Metric { get; init; } = ExperimentMetric.RenewalBookings;
    public AnalysisUnit Unit { get; init; } = AnalysisUnit.Rep;
    /// <summary>Two-sided significance level of tests and 1 - confidence of intervals.</summary>
    public double Alpha { get; init; } = 0.05;
    /// <summary>Seed of the cluster bootstrap.</summary>
    public int Seed { get; init; } = 42;
    /// <summary>Cluster bootstrap resamples for the CUPED interval; 0 skips the bootstrap.</summary>
    public int BootstrapResamples { get; init; } = 1000;
    /// <summary>Lift the design is judged against (power, sample size); a fraction (0.10 = +10%).</summary>
    public double TargetLift { get; init; } = 0.10;
    /// <summary>Power below which the readout warns that it is underpowered.</summary>
    public double TargetPower { get; init; } = 0.80;
    /// <summary>Planned share of reps in treatment (sample-ratio check).</summary>
    public double ExpectedTreatmentShare { get; init; } = 0.5;
    /// <summary>Rollout start; null uses the planted start of generated data.</summary>
    public DateOnly? RolloutStart { get; init; }

    /// <summary>Throws <see cref="OptionsValidationException"/> listing every invalid option.</summary>
    public void Validate()
    {
        var problems = new List<string>();
        void Check(bool ok, string problem) { if (!ok) problems.Add(problem); }
        Check(Enum.IsDefined(Metric), $"Metric must be one of {string.Join(", ", Enum.GetValues<ExperimentMetric>().Select(ExperimentNames.Name))}; got {(int)Metric}.");
        Check(Enum.IsDefined(Unit), $"Unit must be rep or account; got {(int)Unit}.");
        Check(Alpha is > 0 and < 0.5, $"Alpha must be in (0, 0.5); got {Alpha.ToString(CultureInfo.InvariantCulture)}.");
        Check(BootstrapResamples is >= 0 and <= 100_000, $"BootstrapResamples must be between 0 and 100,000; got {BootstrapResamples}.");
        Check(double.IsFinite(TargetLift) && TargetLift is > -1 and <= 10 && TargetLift != 0, $"TargetLift must be a nonzero fraction in (-1, 10]; got {TargetLift.ToString(CultureInfo.InvariantCulture)}.");
        Check(TargetPower is > 0 and < 1, $"TargetPower must be in (0, 1); got {TargetPower.ToString(CultureInfo.InvariantCulture)}.");
        Check(ExpectedTreatmentShare is > 0 and < 1, $"ExpectedTreatmentShare must be in (0, 1); got {ExpectedTreatmentShare.ToString(CultureInfo.InvariantCulture)}.");
        if (problems.Count > 0) throw new OptionsValidationException("Invalid impact options:\n  " + string.Join("\n  ", problems));
    }
}

/// <summary>Design judged on pre-period noise: power to detect the target lift with the reps, accounts and weeks of
/// this test, the minimum detectable effect, and the reps per arm the target would need.</summary>
/// <param name="CupedReduction">Variance reduction the design expects from CUPED (from the pre-period noise model).</param>
public sealed record PowerReport(double TargetLift, double Alpha, DesignInputs Design, PrePeriodVariance Noise, double CupedReduction,
    double PowerUnadjusted, double PowerCuped, double MdeUnadjusted, double MdeCuped, int RepsPerArmUnadjusted, int RepsPerArmCuped,
    bool Underpowered);

/// <summary>Everything an A/B readout produced.</summary>
/// <param name="PlantedUplift">The generator's planted effect (generated data only). It is exactly the expected
/// relative lift of <see cref="ExperimentMetric.RenewalBookings"/>; other metrics do not carry it.</param>
public sealed record ImpactResult(
    ImpactOptions Options, ExperimentData Data, LiftEstimate Unadjusted, LiftEstimate Cuped, LiftEstimate Regression,
    LiftEstimate DifferenceInDifferences, double BootstrapLow, double BootstrapHigh, double CupedTheta,
    double VarianceReductionCuped, double VarianceReductionRegression, double VarianceReductionDid,
    SampleRatioCheck SampleRatio, IReadOnlyList<BalanceRow> Balance, PowerReport Power, IReadOnlyList<string> Warnings,
    double? PlantedUplift)
{
    /// <summary>The four estimates in report order.</summary>
    public IReadOnlyList<LiftEstimate> Estimates => [Unadjusted, Cuped, Regression, DifferenceInDifferences];
}

/// <summary>
/// The A/B readout of a rep-randomised rollout: builds per-unit outcomes, checks the randomisation (sample ratio,
/// balance), estimates the relative lift four ways (unadjusted, CUPED, regression adjustment, difference in
/// differences) with cluster-robust intervals and a bootstrap interval, and judges the design's power on pre-period
/// noise. Not a trained model: nothing is saved.
/// </summary>
/// <example>
/// <code>
/// var data = CrmGenerator.Generate(new GeneratorOptions { Accounts = 600, Reps = 60, Months = 24, Seed = 7 });
/// var result = ImpactAnalysis.Analyze(data, new ImpactOptions { BootstrapResamples = 200 });
/// Console.WriteLine($"{ImpactReadout.Percent(result.Cuped.Lift, 1)} [{ImpactReadout.Percent(result.Cuped.CiLow, 1)}, {ImpactReadout.Percent(result.Cuped.CiHigh, 1)}]");
/// </code>
/// </example>
public static class ImpactAnalysis
{
    /// <summary>Analyses with the default options (renewal bookings per rep, alpha 0.05).</summary>
    public static ImpactResult Analyze(CrmDataset data) => Analyze(data, new ImpactOptions());

    /// <exception cref="OptionsValidationException">An option is out of range.</exception>
    /// <exception cref="WorkbenchException">The data cannot support the analysis (no arms, no rollout start, one arm empty).</exception>
    public static ImpactResult Analyze(CrmDataset data, ImpactOptions options)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var exp = ExperimentDataBuilder.Build(data, options.Metric, options.Unit, options.RolloutStart);
        return Analyze(exp, options, data.Truth?.Rollout.Uplift);
    }

    /// <summary>Analyses prepared experiment data.</summary>
    public static ImpactResult Analyze(ExperimentData exp, ImpactOptions options, double? plantedUplift = null)
    {
        ArgumentNullException.ThrowIfNull(exp);
        options.Validate();
        int gT = exp.Clusters(RolloutArm.Treatment), gC = exp.Clusters(RolloutArm.Control);
        if (gT < 2 || gC < 2)
            throw new WorkbenchException($"Each arm needs at least 2 reps to estimate a cluster-robust variance; found {gT} treatment and {gC} control reps.");

        double a = options.Alpha;
        var unadjusted = LiftEstimators.Unadjusted(exp, a);
        var cuped = LiftEstimators.Cuped(exp, exp.Units, a, out double theta);
        var regression = LiftEstimators.RegressionAdjusted(exp, a);
        var did = LiftEstimators.DifferenceInDifferences(exp, a);
        var (bLow, bHigh) = options.BootstrapResamples > 0
            ? LiftEstimators.CupedBootstrapInterval(exp, options.BootstrapResamples, options.Seed, a)
            : (double.NaN, double.NaN);
        double Reduction(LiftEstimate e) => 1 - e.LogStandardError * e.LogStandardError / (unadjusted.LogStandardError * unadjusted.LogStandardError);

        var srm = LiftEstimators.SampleRatio(exp, options.ExpectedTreatmentShare);
        var balance = LiftEstimators.Balance(exp);
        var power = Design(exp, options);

        var warnings = new List<string>();
        if (power.Underpowered)
            warnings.Add(string.Create(CultureInfo.InvariantCulture,
                $"Underpowered: with {gT} treatment and {gC} control reps over {exp.PostMonths} months, CUPED detects a {ImpactReadout.Percent(options.TargetLift, 0)} lift with probability {ImpactReadout.Percent(power.PowerCuped, 0)} (target {ImpactReadout.Percent(options.TargetPower, 0)}); about {power.RepsPerArmCuped} reps per arm would be needed, or a lift of {ImpactReadout.Percent(power.MdeCuped, 1)} to reach it."));
        if (srm.Mismatch)
            warnings.Add(string.Create(CultureInfo.InvariantCulture,
                $"Sample-ratio mismatch: {srm.TreatmentClusters} treatment vs {srm.ControlClusters} control reps (chi-square {srm.ChiSquare:F2}, p = {srm.PValue:G3}); the randomisation may be broken, so the estimates may be biased."));
        foreach (var row in balance.Where(r => Math.Abs(r.StandardizedDifference) > 0.25))
            warnings.Add(string.Create(CultureInfo.InvariantCulture,
                $"Imbalance on {row.Covariate}: standardized difference {row.StandardizedDifference:F2} (control {row.ControlMean:G4}, treatment {row.TreatmentMean:G4}); prefer the adjusted estimates."));
        if (exp.UnitsWithoutArm > 0)
            warnings.Add($"{exp.UnitsWithoutArm} units were left out: their rep has no rollout arm.");

        return new ImpactResult(options, exp, unadjusted, cuped, regression, did, bLow, bHigh, theta,
            Reduction(cuped), Reduction(regression), Reduction(did), srm, balance, power, warnings, plantedUplift);
    }

    /// <summary>Power of this test's design (its reps, accounts per rep and post-period length) on pre-period noise.</summary>
    public static PowerReport Design(ExperimentData exp, ImpactOptions options)
    {
        double accountsPerRep = AccountsPerRep(exp);
        var noise = PowerAnalysis.FromPrePeriod(exp, accountsPerRep);
        var design = new DesignInputs(exp.Clusters(RolloutArm.Treatment), exp.Clusters(RolloutArm.Control), accountsPerRep,
            exp.PostMonths * 52.0 / 12.0, options.Alpha);
        var cupedDesign = design with { VarianceReduction = noise.CupedVarianceReduction(exp.PreMonths, design.Months) };
        double lift = options.TargetLift;
        double pu = PowerAnalysis.Power(lift, design, noise), pc = PowerAnalysis.Power(lift, cupedDesign, noise);
        return new PowerReport(lift, options.Alpha, design, noise, cupedDesign.VarianceReduction, pu, pc,
            PowerAnalysis.MinimumDetectableEffect(design, noise, options.TargetPower),
            PowerAnalysis.MinimumDetectableEffect(cupedDesign, noise, options.TargetPower),
            PowerAnalysis.RepsPerArmFor(lift, design, noise, options.TargetPower),
            PowerAnalysis.RepsPerArmFor(lift, cupedDesign, noise, options.TargetPower),
            pc < options.TargetPower);
    }

    static double AccountsPerRep(ExperimentData exp)
    {
        int size = ExperimentDataBuilder.CovariateNames.Count - 1; // pre_book_size
        int reps = exp.Units.Select(u => u.ClusterId).Distinct(StringComparer.Ordinal).Count();
        double accounts = exp.Unit == AnalysisUnit.Rep
            ? exp.Units.Sum(u => u.Covariates[size])
            : exp.Units.Count(u => u.Covariates[size] > 0);
        return reps > 0 ? Math.Max(1e-9, accounts / reps) : 1;
    }
}
