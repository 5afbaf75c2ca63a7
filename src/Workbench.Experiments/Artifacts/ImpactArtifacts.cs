using Workbench.Analytics.Testing;
using Workbench.Experiments.Promotion;
using Workbench.Reporting.Testing;

namespace Workbench.Experiments.Artifacts;

/// <summary>Writes an A/B readout: <c>estimates.json</c> (the contract: metric, unit, unadjusted/cuped/did with lift,
/// ci_low, ci_high, p_value as fractions, variance_reduction, power, and more), <c>estimates.csv</c>,
/// <c>balance.csv</c>, <c>power.json</c> and <c>report.html</c> (offline). The folder is written in a staging folder
/// and renamed into place, so a failure leaves no half-written output.</summary>
public static class ImpactArtifacts
{
    public const string EstimatesJson = "estimates.json", EstimatesCsv = "estimates.csv", BalanceCsv = "balance.csv",
        PowerJson = "power.json", ReportHtml = "report.html";

    static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>Writes every file into <paramref name="outDir"/> (replacing it) and returns the paths.</summary>
    public static IReadOnlyList<string> Write(ImpactResult result, string outDir)
    {
        ArgumentNullException.ThrowIfNull(result);
        var staging = AtomicDirectory.StagingFor(outDir);
        try
        {
            AtomicFile.WriteText(Path.Combine(staging, EstimatesJson), EstimatesJsonText(result));
            AtomicFile.WriteText(Path.Combine(staging, EstimatesCsv), EstimatesCsvText(result));
            AtomicFile.WriteText(Path.Combine(staging, BalanceCsv), BalanceCsvText(result));
            AtomicFile.WriteText(Path.Combine(staging, PowerJson), PowerJsonText(result));
            AtomicFile.WriteText(Path.Combine(staging, ReportHtml), ImpactReport.ToHtml(result));
            AtomicDirectory.Replace(staging, outDir);
        }
        catch
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
            throw;
        }
        return new[] { EstimatesJson, EstimatesCsv, BalanceCsv, PowerJson, ReportHtml }.Select(f => Path.Combine(outDir, f)).ToArray();
    }

    /// <summary>The estimates document (stable snake_case names; lifts as fractions).</summary>
    public static string EstimatesJsonText(ImpactResult r) => WriteJson(w =>
    {
        var d = r.Data;
        w.WriteString("metric", ExperimentNames.Name(d.Metric));
        w.WriteString("unit", ExperimentNames.Name(d.Unit));
        w.WriteString("rollout_start", d.RolloutStart.ToString("yyyy-MM-dd", C));
        w.WriteNumber("pre_months", d.PreMonths);
        w.WriteNumber("post_months", d.PostMonths);
        Estimate(w, "unadjusted", r.Unadjusted);
        Estimate(w, "cuped", r.Cuped);
        Estimate(w, "regression", r.Regression);
        Estimate(w, "did", r.DifferenceInDifferences);
        Number(w, "variance_reduction", r.VarianceReductionCuped);
        w.WriteStartObject("variance_reductions");
        Number(w, "cuped", r.VarianceReductionCuped);
        Number(w, "regression", r.VarianceReductionRegression);
        Number(w, "did", r.VarianceReductionDid);
        w.WriteEndObject();
        Number(w, "cuped_theta", r.CupedTheta);
        w.WriteStartObject("cuped_bootstrap");
        Number(w, "ci_low", r.BootstrapLow);
        Number(w, "ci_high", r.BootstrapHigh);
        w.WriteNumber("resamples", r.Options.BootstrapResamples);
        w.WriteNumber("seed", r.Options.Seed);
        w.WriteEndObject();
        Number(w, "power", r.Power.PowerCuped);
        Number(w, "power_unadjusted", r.Power.PowerUnadjusted);
        Number(w, "target_lift", r.Power.TargetLift);
        Number(w, "mde", r.Power.MdeCuped);
        w.WriteBoolean("underpowered", r.Power.Underpowered);
        Number(w, "alpha", r.Options.Alpha);
        w.WriteNumber("treatment_reps", r.SampleRatio.TreatmentClusters);
        w.WriteNumber("control_reps", r.SampleRatio.ControlClusters);
        w.WriteNumber("treatment_units", r.SampleRatio.TreatmentUnits);
        w.WriteNumber("control_units", r.SampleRatio.ControlUnits);
        w.WriteStartObject("sample_ratio");
        Number(w, "chi_square", r.SampleRatio.ChiSquare);
        Number(w, "p_value", r.SampleRatio.PValue);
        w.WriteBoolean("mismatch", r.SampleRatio.Mismatch);
        w.WriteEndObject();
        if (r.PlantedUplift is { } planted)
        {
            // The generator plants the uplift on renewal bookings only; the other metrics' planted lift is zero.
            Number(w, "planted_uplift", planted);
            if (d.Metric == ExperimentMetric.RenewalBookings) w.WriteBoolean("cuped_covers_planted", r.Cuped.Covers(planted));
        }
        w.WriteStartArray("warnings");
        foreach (var s in r.Warnings) w.WriteStringValue(s);
        w.WriteEndArray();
    });

    /// <summary>The design document: noise model, power, MDE and reps per arm, unadjusted and with CUPED.</summary>
    public static string PowerJsonText(ImpactResult r) => WriteJson(w =>
    {
        var p = r.Power;
        Number(w, "target_lift", p.TargetLift);
        Number(w, "alpha", p.Alpha);
        Number(w, "target_power", r.Options.TargetPower);
        w.WriteNumber("treatment_reps", p.Design.TreatmentReps);
        w.WriteNumber("control_reps", p.Design.ControlReps);
        Number(w, "accounts_per_rep", p.Design.AccountsPerRep);
        Number(w, "weeks", p.Design.Weeks);
        Number(w, "cv2_between", p.Noise.Between);
        Number(w, "cv2_within_per_month", p.Noise.Within);
        Number(w, "pre_months", p.Noise.PreMonths);
        Number(w, "cuped_expected_variance_reduction", p.CupedReduction);
        Number(w, "cuped_placebo_variance_reduction", p.Noise.PlaceboCupedReduction);
        Number(w, "power_unadjusted", p.PowerUnadjusted);
        Number(w, "power_cuped", p.PowerCuped);
        Number(w, "mde_unadjusted", p.MdeUnadjusted);
        Number(w, "mde_cuped", p.MdeCuped);
        w.WriteNumber("reps_per_arm_unadjusted", p.RepsPerArmUnadjusted);
        w.WriteNumber("reps_per_arm_cuped", p.RepsPerArmCuped);
        w.WriteBoolean("underpowered", p.Underpowered);
    });

    public static string EstimatesCsvText(ImpactResult r)
    {
        var sb = new StringBuilder("estimator,lift,ci_low,ci_high,p_value,standard_error,control,treatment,variance_reduction\n");
        foreach (var e in r.Estimates)
        {
            double reduction = e.Estimator switch
            {
                "cuped" => r.VarianceReductionCuped, "regression" => r.VarianceReductionRegression, "did" => r.VarianceReductionDid, _ => 0,
            };
            sb.Append(CsvText.Line([e.Estimator, CsvText.Number(e.Lift), CsvText.Number(e.CiLow), CsvText.Number(e.CiHigh), CsvText.Number(e.PValue),
                CsvText.Number(e.StandardError), CsvText.Number(e.Control), CsvText.Number(e.Treatment), CsvText.Number(reduction)])).Append('\n');
        }
        return sb.ToString();
    }

    public static string BalanceCsvText(ImpactResult r)
    {
        var sb = new StringBuilder("covariate,control_mean,treatment_mean,standardized_difference,p_value\n");
        foreach (var b in r.Balance)
            sb.Append(CsvText.Line([CsvText.Cell(b.Covariate), CsvText.Number(b.ControlMean), CsvText.Number(b.TreatmentMean),
                CsvText.Number(b.StandardizedDifference), CsvText.Number(b.PValue)])).Append('\n');
        return sb.ToString();
    }

    static void Estimate(Utf8JsonWriter w, string name, LiftEstimate e)
    {
        w.WriteStartObject(name);
        Number(w, "lift", e.Lift);
        Number(w, "ci_low", e.CiLow);
        Number(w, "ci_high", e.CiHigh);
        Number(w, "p_value", e.PValue);
        Number(w, "standard_error", e.StandardError);
        Number(w, "control", e.Control);
        Number(w, "treatment", e.Treatment);
        w.WriteEndObject();
    }

    /// <summary>Finite numbers as numbers, anything else as null (JSON has no NaN).</summary>
    static void Number(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value)) w.WriteNumber(name, Math.Round(value, 10));
        else w.WriteNull(name);
    }

    static string WriteJson(Action<Utf8JsonWriter> body)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray()) + "\n";
    }
}
