using System.Text.Json;
using Workbench.Experiments.Runs;
using Workbench.Experiments.Specs;

namespace Workbench.Tests.Experiments;

/// <summary>The optional <c>impact</c> and <c>territory</c> spec sections: a run on the committed sample executes both
/// analyses after segmentation, writes their artifacts in the run folder and records their flat metrics. The run
/// (<see cref="SectionsRunFixture"/>: impact, territory and pipeline sections) is shared with the pipeline section's tests.</summary>
[Collection(SectionsRunCollection.Name)]
public class AnalysisSectionRunTests(SectionsRunFixture run)
{
    [Fact]
    public void A_spec_with_impact_and_territory_sections_runs_both_and_records_their_metrics_and_artifacts()
    {
        var spec = run.Spec;
        Assert.Equal(42, spec.Impact!.Seed);
        Assert.Equal(42, spec.Territory!.Seed);
        var record = run.Record;
        var dir = run.RunDirectory;
        Assert.Equal(RunStatus.Succeeded, record.Status);

        // Impact: the flat metrics are the numbers of impact/estimates.json.
        var m = record.Metrics!;
        using var estimates = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "impact", "estimates.json")));
        var e = estimates.RootElement;
        Assert.Equal(e.GetProperty("cuped").GetProperty("lift").GetDouble(), m["impact.cuped_lift"], 9);
        Assert.Equal(e.GetProperty("cuped").GetProperty("ci_low").GetDouble(), m["impact.cuped_ci_low"], 9);
        Assert.Equal(e.GetProperty("cuped").GetProperty("ci_high").GetDouble(), m["impact.cuped_ci_high"], 9);
        Assert.Equal(e.GetProperty("cuped").GetProperty("p_value").GetDouble(), m["impact.cuped_p_value"], 9);
        Assert.Equal(e.GetProperty("unadjusted").GetProperty("lift").GetDouble(), m["impact.unadjusted_lift"], 9);
        Assert.Equal(e.GetProperty("variance_reduction").GetDouble(), m["impact.variance_reduction"], 9);
        Assert.Equal(e.GetProperty("power").GetDouble(), m["impact.power"], 9);
        Assert.Equal(50, e.GetProperty("cuped_bootstrap").GetProperty("resamples").GetInt32());
        Assert.InRange(m["impact.cuped_lift"], m["impact.cuped_ci_low"], m["impact.cuped_ci_high"]);
        Assert.InRange(m["impact.power"], 0, 1);
        Assert.True(m.ContainsKey("impact.planted_uplift"), "the sample carries the planted rollout uplift");

        // Territory: the flat metrics are summary.json's, with the truth comparison of the sample.
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "territory", "summary.json")));
        var s = summary.RootElement;
        Assert.Equal(s.GetProperty("expected_wins").GetProperty("plan").GetDouble(), m["territory.expected_wins_plan"], 6);
        Assert.Equal(s.GetProperty("expected_wins").GetProperty("current").GetDouble(), m["territory.expected_wins_current"], 6);
        Assert.Equal(s.GetProperty("true_expected_wins").GetProperty("oracle").GetDouble(), m["territory.true_expected_wins_oracle"], 6);
        Assert.Equal(s.GetProperty("moves").GetInt32(), (int)m["territory.moves"]);
        Assert.InRange(m["territory.moves"], 0, 25);
        Assert.Equal(0, m["territory.capacity_violations"]);
        Assert.Equal(0, m["territory.continuity_violations"]);
        Assert.True(m["territory.expected_wins_plan"] >= m["territory.expected_wins_current"] - 1e-6, "the plan is optimal under its own estimates");
        Assert.True(m.ContainsKey("territory.uplift_recovered"));
        Assert.Equal(3, m["territory.groups"]);

        // The artifacts are listed in the record and exist; the filled spec in run.json holds both sections.
        foreach (var a in new[] { "impact/estimates.json", "impact/power.json", "impact/report.html", "territory/summary.json",
                     "territory/assignment.csv", "territory/evaluation.json", "territory/territory-model.zip", "territory/report/index.html" })
            Assert.Contains(a, record.Artifacts!);
        Assert.All(record.Artifacts!, a => Assert.True(File.Exists(Path.Combine(dir, a)), a));
        Assert.Equal(50, record.Spec!.Value.GetProperty("impact").GetProperty("bootstrap").GetInt32());
        Assert.False(record.Spec.Value.GetProperty("territory").GetProperty("sensitivity").GetBoolean());
        Assert.Equal(spec.Hash(), ExperimentSpec.Parse(spec.ToJson(), TestPaths.RepoRoot).Hash());
    }
}
