using System.Globalization;
using Workbench.Analytics.Actions;
using Workbench.Data.Generation;
using Workbench.Experiments.Pipeline;
using Xunit.Abstractions;

namespace Workbench.Tests.Actions;

[Collection(ActionCollection.Name)]
public sealed class ActionPolicyTests(ActionFixture f, ITestOutputHelper output)
{
    static string F(double x) => x.ToString("F1", CultureInfo.InvariantCulture);

    [Fact]
    public void The_learned_policy_beats_rules_myopic_and_logging_on_true_long_term_value()
    {
        var e = f.Evaluation;
        foreach (var p in e.Policies)
            output.WriteLine($"{p.Policy,-8} true {F(p.TrueValue!.Value)} dm {F(p.Dm)} ips {F(p.Ips)} snips {F(p.Snips)} dr {F(p.Dr)} [{F(p.DrCiLow)}, {F(p.DrCiHigh)}]");
        double learned = e["learned"].TrueValue!.Value;
        var full = f.Model.LearnedPolicy(f.Frame.Contexts).Select(p => Array.IndexOf(p, 1.0)).ToArray();
        output.WriteLine($"full-data learned policy (judged on its own training log) true {F(ActionEvaluation.TrueValue(f.Frame, full))}");
        foreach (var other in new[] { "rules", "myopic", "logging" })
            Assert.True(learned > e[other].TrueValue!.Value, $"learned {F(learned)} <= {other} {F(e[other].TrueValue!.Value)}");
    }

    [Fact]
    public void The_lifetime_and_the_myopic_objectives_choose_differently_and_the_lifetime_one_is_worth_more()
    {
        var learned = f.Model.LearnedPolicy(f.Frame.Contexts);
        var myopic = f.Model.MyopicPolicy(f.Frame.Contexts);
        // The full-data policy and its myopic twin disagree on many decisions; the cross-fitted evaluation ranks them.
        int differ = Enumerable.Range(0, f.Frame.Count).Count(i => Array.IndexOf(learned[i], 1.0) != Array.IndexOf(myopic[i], 1.0));
        Assert.True(differ > f.Frame.Count / 5, $"decisions where they differ: {differ} of {f.Frame.Count}");
        Assert.True(f.Evaluation["learned"].TrueValue > f.Evaluation["myopic"].TrueValue);
        Assert.True(f.Evaluation["myopic"].Dr < f.Evaluation["learned"].Dr, "the DR estimate ranks them the same way");
    }

    [Fact]
    public void Logged_propensities_are_used_and_not_flagged_as_estimated()
    {
        Assert.False(f.Frame.PropensitiesEstimated);
        Assert.All(f.Frame.Decisions, d => Assert.InRange(d.Propensity, 0.04, 1));
    }

    [Fact]
    public void A_log_without_propensities_gets_estimated_ones_and_says_so()
    {
        var data = f.Data with { Actions = f.Data.Actions.Select(a => a with { Propensity = null }).ToList() };
        var frame = DecisionFrame.Build(data);
        Assert.True(frame.PropensitiesEstimated);
        Assert.All(frame.Decisions, d => Assert.InRange(d.Propensity, 0.01, 1));
    }

    [Fact]
    public void The_model_file_round_trips_to_the_same_recommendations()
    {
        using var ms = new MemoryStream();
        f.Model.Save(ms);
        ms.Position = 0;
        var loaded = ActionPolicyModel.Load(ms);
        var a = f.Model.ExpectedValues(f.Frame.Contexts);
        var b = loaded.ExpectedValues(f.Frame.Contexts);
        for (int i = 0; i < a.Length; i++) Assert.Equal(a[i], b[i]);
        Assert.Equal(f.Model.LearnerChoice.Learner, loaded.LearnerChoice.Learner);
        Assert.Equal(f.Model.LearnerChoice.Candidates, loaded.LearnerChoice.Candidates);
    }

    [Fact]
    public void The_fitted_policy_records_the_learner_with_the_best_held_out_policy_value()
    {
        var choice = f.Model.LearnerChoice;
        output.WriteLine(string.Join(Environment.NewLine, choice.Candidates.Select(c => $"{c.Learner,-45} {F(c.HeldOutValue)}")) + $"{Environment.NewLine}chosen: {choice.Learner}");
        Assert.Equal(RewardLearner.Candidates.Select(c => c.Name), choice.Candidates.Select(c => c.Learner));
        // The best held-out value, or the reference (first) candidate when the best one's advantage is within one standard error.
        Assert.Contains(choice.Learner, new[] { choice.Candidates.MaxBy(c => c.HeldOutValue).Learner, choice.Candidates[0].Learner });
        Assert.Equal(choice.Learner, f.Model.LongTerm.Learner.Name);
    }

    [Fact]
    public void A_version_2_model_file_loads_as_the_fixed_logistic_and_tree_learner()
    {
        // What version 2 wrote: the logistic x FastTree reward models, without the learner keys of version 3.
        var rows = Enumerable.Range(0, f.Frame.Count).ToArray();
        var o = new ActionOptions();
        var lt = RewardModel.Fit(f.Frame, rows, RewardTarget.LongTerm, RewardLearner.LogisticTree, o, 1);
        var im = RewardModel.Fit(f.Frame, rows, RewardTarget.Immediate, RewardLearner.LogisticTree, o, 2);
        var v2 = new ActionPolicyModel(f.Frame.Actions, o, f.Frame.Count, false, lt, im, new LearnerChoice(RewardLearner.LogisticTree.Name, []), null);
        using var ms = new MemoryStream();
        v2.Save(ms);
        var file = Rewritten(ms.ToArray(), 2, policy =>
        {
            foreach (var key in new[] { "long_term_learner", "immediate_learner", "long_term_ratio_scale", "immediate_ratio_scale", "learner_choice" })
                Assert.True(policy.Remove(key), key);
        });
        var loaded = ActionPolicyModel.Load(new MemoryStream(file), "v2.zip");
        Assert.Equal(RewardLearner.LogisticTree.Name, loaded.LearnerChoice.Learner);
        Assert.Empty(loaded.LearnerChoice.Candidates);
        var a = v2.ExpectedValues(f.Frame.Contexts);
        var b = loaded.ExpectedValues(f.Frame.Contexts);
        for (int i = 0; i < a.Length; i++) Assert.Equal(a[i], b[i]);
        Assert.Equal(v2.MyopicPolicy(f.Frame.Contexts), loaded.MyopicPolicy(f.Frame.Contexts));
    }

    [Fact]
    public void A_policy_with_the_pooled_response_learner_round_trips_and_a_version_3_file_still_loads()
    {
        var rows = Enumerable.Range(0, f.Frame.Count).ToArray();
        var o = new ActionOptions();
        var pooled = RewardLearner.Candidates.Single(c => c.PooledDeviation is not null);
        var lt = RewardModel.Fit(f.Frame, rows, RewardTarget.LongTerm, pooled, o, 1);
        var im = RewardModel.Fit(f.Frame, rows, RewardTarget.Immediate, RewardLearner.LogisticTree, o, 2);
        var model = new ActionPolicyModel(f.Frame.Actions, o, f.Frame.Count, false, lt, im, new LearnerChoice(pooled.Name, []), null);
        var rate = lt.PredictParts(f.Frame.Contexts).Rate;
        // One model for every action still gives each action its own response rate per context.
        Assert.Contains(rate, r => r.Distinct().Count() == r.Length);
        using var ms = new MemoryStream();
        model.Save(ms);
        var loaded = ActionPolicyModel.Load(new MemoryStream(ms.ToArray()), "pooled.zip");
        Assert.Equal(pooled, loaded.LongTerm.Learner);
        var a = model.ExpectedValues(f.Frame.Contexts);
        var b = loaded.ExpectedValues(f.Frame.Contexts);
        for (int i = 0; i < a.Length; i++) Assert.Equal(a[i], b[i]);

        // Version 3 wrote the same keys for its (per-action) learners: such a file loads unchanged.
        using var v3 = new MemoryStream();
        f.Model.Save(v3);
        var old = ActionPolicyModel.Load(new MemoryStream(Rewritten(v3.ToArray(), 3)), "v3.zip");
        var c = f.Model.ExpectedValues(f.Frame.Contexts);
        var d = old.ExpectedValues(f.Frame.Contexts);
        for (int i = 0; i < c.Length; i++) Assert.Equal(c[i], d[i]);
    }

    static byte[] Rewritten(byte[] file, int version, Action<System.Text.Json.Nodes.JsonObject>? policy = null)
    {
        using var src = new MemoryStream(file);
        using var zin = new System.IO.Compression.ZipArchive(src, System.IO.Compression.ZipArchiveMode.Read);
        using var dst = new MemoryStream();
        using (var zout = new System.IO.Compression.ZipArchive(dst, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
            foreach (var e in zin.Entries)
            {
                using var r = e.Open();
                using var ms = new MemoryStream();
                r.CopyTo(ms);
                var bytes = ms.ToArray();
                if (e.FullName == "manifest.json")
                {
                    var m = System.Text.Json.Nodes.JsonNode.Parse(bytes)!.AsObject();
                    m["version"] = version;
                    bytes = System.Text.Encoding.UTF8.GetBytes(m.ToJsonString());
                }
                if (e.FullName == "policy.json" && policy is not null)
                {
                    var p = System.Text.Json.Nodes.JsonNode.Parse(bytes)!.AsObject();
                    policy(p);
                    bytes = System.Text.Encoding.UTF8.GetBytes(p.ToJsonString());
                }
                using var w = zout.CreateEntry(e.FullName).Open();
                w.Write(bytes);
            }
        return dst.ToArray();
    }

    [Theory]
    [InlineData(1, "format version 1")]
    [InlineData(6, "version 6")]
    public void A_model_file_of_another_format_version_is_refused_clearly(int version, string expected)
    {
        using var ms = new MemoryStream();
        f.Model.Save(ms);
        var file = Rewritten(ms.ToArray(), version);
        var ex = Assert.Throws<WorkbenchException>(() => ActionPolicyModel.Load(new MemoryStream(file), "policy.zip"));
        Assert.Contains("policy.zip", ex.Message);
        Assert.Contains(expected, ex.Message);
        Assert.Contains(version == 1 ? "re-train" : "up to version 5", ex.Message);
    }

    [Fact]
    public void Contexts_and_propensities_never_read_the_planted_truth()
    {
        // A run loads generated data with truth/, scoring and a user's data without it: the contexts must be the same.
        var blind = f.Data with { Truth = null };
        Assert.NotNull(f.Data.Truth);
        var withoutTruth = DecisionFrame.Build(blind);
        Assert.Equal(f.Frame.Contexts, withoutTruth.Contexts);
        Assert.Equal(f.Frame.Decisions, withoutTruth.Decisions);
        Assert.NotNull(f.Frame.TrueValue);
        Assert.Null(withoutTruth.TrueValue);
        var current = DecisionFrame.Current(f.Data);
        var currentBlind = DecisionFrame.Current(blind);
        Assert.Equal(current.AccountIds, currentBlind.AccountIds);
        Assert.Equal(current.Contexts, currentBlind.Contexts);
        // Estimated propensities (a log without them) do not read the planted segments either.
        var unlogged = f.Data with { Actions = f.Data.Actions.Select(a => a with { Propensity = null }).ToList() };
        Assert.Equal(DecisionFrame.Build(unlogged).Decisions.Select(d => d.Propensity), DecisionFrame.Build(unlogged with { Truth = null }).Decisions.Select(d => d.Propensity));
        // The segment column is the caller's observed segment when one is given.
        var observed = f.Data.Accounts.Select((a, i) => (a.AccountId, Segment: i % 3)).ToDictionary(x => x.AccountId, x => x.Segment, StringComparer.Ordinal);
        var withSegments = DecisionFrame.Build(blind, observed);
        Assert.All(Enumerable.Range(0, withSegments.Count), i =>
            Assert.Equal(observed[withSegments.Decisions[i].AccountId], (int)withSegments.Context(i)[DecisionFrame.SegmentColumn]));
    }

    [Fact]
    public void The_book_gets_the_same_next_action_as_the_run_whether_or_not_the_data_carries_truth()
    {
        // ActionStage.NextActions is what the run writes to next-actions.csv (data with truth) and what scoring puts in
        // the book (BatchScoring loads without truth).
        var run = ActionStage.NextActions(f.Model, f.Data, f.Model.Options.Seed);
        var book = ActionStage.NextActions(f.Model, f.Data with { Truth = null }, f.Model.Options.Seed);
        Assert.NotEmpty(run);
        Assert.Equal(run.Select(n => (n.AccountId, n.Action, n.Product, n.ExpectedValue, n.Reason)), book.Select(n => (n.AccountId, n.Action, n.Product, n.ExpectedValue, n.Reason)));
    }

    [Fact]
    public void With_the_runs_segmentation_the_run_actions_and_score_see_the_same_segment_and_next_action()
    {
        // The run fits its segmentation, builds the decisions with it (point in time), and saves it with the policy;
        // scoring (no truth) and 'workbench actions --model FILE' rebuild the contexts from the loaded model's segmentation.
        var segmentation = ActionFixture.RunSegmentation(f.Data, 7);
        var frame = DecisionFrame.Build(f.Data, segmentation);
        Assert.Same(segmentation, frame.Segmentation);
        var segments = Enumerable.Range(0, frame.Count).Select(i => (int)frame.Context(i)[DecisionFrame.SegmentColumn]).ToArray();
        output.WriteLine($"{segmentation.Segments.Count} segments over [{string.Join(", ", segmentation.Columns)}]; decisions per segment: " +
            string.Join(", ", segments.GroupBy(x => x).OrderBy(g => g.Key).Select(g => $"{g.Key}: {g.Count()}")));
        Assert.True(segments.Distinct().Count() >= 2, "the observed segment should vary over the decisions");
        // Point in time: an account's segment can change between its decisions (its spend and seats move).
        Assert.Contains(frame.Decisions.Select((d, i) => (d.AccountId, Segment: segments[i])).GroupBy(x => x.AccountId), g => g.Select(x => x.Segment).Distinct().Count() > 1);
        // The same contexts without truth (the segmentation reads no truth).
        Assert.Equal(frame.Contexts, DecisionFrame.Build(f.Data with { Truth = null }, segmentation).Contexts);

        var model = ActionPolicyEstimator.Fit(frame);
        Assert.Same(segmentation, model.Segmentation);
        using var ms = new MemoryStream();
        model.Save(ms);
        var loaded = ActionPolicyModel.Load(new MemoryStream(ms.ToArray()), "policy.zip");
        Assert.NotNull(loaded.Segmentation);
        var run = ActionStage.NextActions(model, f.Data, model.Options.Seed);
        var book = ActionStage.NextActions(loaded, f.Data with { Truth = null }, model.Options.Seed);
        Assert.NotEmpty(run);
        Assert.Equal(run.Select(n => (n.AccountId, n.Action, n.Product, n.ExpectedValue, n.Reason)), book.Select(n => (n.AccountId, n.Action, n.Product, n.ExpectedValue, n.Reason)));
        var (ids, ctx) = DecisionFrame.Current(f.Data with { Truth = null }, loaded.Segmentation);
        var (_, ctxRun) = DecisionFrame.Current(f.Data, segmentation);
        Assert.Equal(ctxRun, ctx);
        Assert.True(Enumerable.Range(0, ids.Count).Select(i => ctx[i * DecisionFrame.Width + DecisionFrame.SegmentColumn]).Distinct().Count() >= 2);
        // Scored with segment 0 instead (what scoring did before the segmentation was saved with the policy), the
        // recommendations differ: the segment column matters to this policy, so the agreement above is not vacuous.
        var (_, ctxZero) = DecisionFrame.Current(f.Data with { Truth = null });
        var withSegment = model.Recommend(ids, ctx);
        var withZero = model.Recommend(ids, ctxZero);
        int differ = Enumerable.Range(0, ids.Count).Count(i => withSegment[i].Action != withZero[i].Action);
        output.WriteLine($"{differ} of {ids.Count} accounts get another next action when the segment is read as 0");
        Assert.True(differ > 0);

        // A version-4 file (no segmentation entry; fitted on segment 0) loads without a segmentation.
        var v4 = ActionPolicyModel.Load(new MemoryStream(Rewritten(WithoutEntry(ms.ToArray(), "observed-segments.json"), 4)), "v4.zip");
        Assert.Null(v4.Segmentation);
    }

    [Fact]
    public void The_observed_segmentation_gives_the_runs_own_assignments_as_of_the_segmentation_date()
    {
        // Applied as of the date the run segmented (after the data's last month), the observed segments are the run's.
        var profiles = Workbench.Analytics.Segmentation.AccountProfileFeatures.Build(f.Data);
        var result = Workbench.Analytics.Segmentation.Segmenter.Run(profiles.ToSegmentationInput(), profiles.SegmentationOptions(7));
        var observed = ObservedSegments.From(result, profiles);
        var panel = new Workbench.Analytics.Features.MonthlyPanel(f.Data);
        int same = profiles.AccountIds.Select((id, i) => observed.Assign(panel, panel.AccountIndexOf(id), panel.Months) == result.Assignments[i]).Count(x => x);
        output.WriteLine($"{same} of {profiles.AccountIds.Count} accounts get the run's segment (k {result.K})");
        Assert.True(result.K >= 2);
        Assert.Equal(profiles.AccountIds.Count, same);
    }

    static byte[] WithoutEntry(byte[] file, string entry)
    {
        using var src = new MemoryStream(file);
        using var zin = new System.IO.Compression.ZipArchive(src, System.IO.Compression.ZipArchiveMode.Read);
        using var dst = new MemoryStream();
        using (var zout = new System.IO.Compression.ZipArchive(dst, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
            foreach (var e in zin.Entries.Where(e => e.FullName != entry))
            {
                using var r = e.Open();
                using var w = zout.CreateEntry(e.FullName).Open();
                r.CopyTo(w);
            }
        return dst.ToArray();
    }

    [Fact]
    public void Every_account_gets_a_recommendation_with_the_propensity_it_would_log()
    {
        var (ids, ctx) = DecisionFrame.Current(f.Data);
        var recs = f.Model.Recommend(ids, ctx);
        Assert.Equal(ids.Count, recs.Count);
        Assert.NotEmpty(recs);
        Assert.Equal(recs.Count, recs.Select(r => r.AccountId).Distinct().Count());
        Assert.All(recs, r => Assert.Equal(1 - 0.1 + 0.1 / 5, r.Propensity, 9));
    }

    [Fact]
    public void The_percentile_or_pooled_interval_is_the_union_of_the_two_and_the_pooled_one_is_centred_on_the_estimate()
    {
        // Terms on the fixture's decisions (its accounts and logged actions), right-skewed rewards, a policy matching
        // about half of them: no model is fitted.
        var rng = new Random(8);
        int n = f.Frame.Count;
        var residual = Enumerable.Range(0, n).Select(_ => rng.NextDouble() < 0.05 ? 20_000 * rng.NextDouble() : -300 * rng.NextDouble()).ToArray();
        var weight = Enumerable.Range(0, n).Select(_ => rng.NextDouble() < 0.5 ? 2.0 : 0).ToArray();
        var direct = Enumerable.Range(0, n).Select(_ => 1_000 + 500 * rng.NextDouble()).ToArray();
        var terms = new DrTerms(direct.Select((d, i) => d + weight[i] * residual[i]).ToArray(), direct, weight, residual);
        var o = new ActionOptions { Seed = 3 };
        (double Low, double High) Read(BootstrapInterval kind) => ActionEvaluation.DrInterval(f.Frame, terms, o with { Interval = kind }, "rules");
        var percentile = Read(BootstrapInterval.Percentile);
        var pooled = Read(BootstrapInterval.Pooled);
        var union = Read(BootstrapInterval.PercentileOrPooled);
        double mean = terms.Dr.Average();
        Assert.Equal((Math.Min(percentile.Low, pooled.Low), Math.Max(percentile.High, pooled.High)), union);
        Assert.Equal(mean - pooled.Low, pooled.High - mean, 6);
        Assert.True(pooled.Low < mean && mean < pooled.High);
        Assert.Equal(union, Read(BootstrapInterval.PercentileOrPooled));
    }
}

/// <summary>A test that takes minutes: skipped unless WORKBENCH_SLOW_TESTS=1 (the suite stays fast; the numbers it measured
/// are in docs/actions.md with the command).</summary>
public sealed class SlowFactAttribute : FactAttribute
{
    public SlowFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("WORKBENCH_SLOW_TESTS") != "1")
            Skip = "slow (minutes to tens of minutes; the coverage test about 14 CPU minutes): run with WORKBENCH_SLOW_TESTS=1";
    }
}

/// <summary>The doubly robust interval's coverage over 20 seeds (books of 2,000 accounts x 24 months since round 20, 600
/// before; 20 trees), with the
/// IPS and DR bias side by side. The intervals (percentile, studentized, bias-corrected percentile, BCa (round 17), pooled and
/// percentile-or-pooled (round 19), and the
/// percentile one of the DR terms winsorized at their 1st and 99th percentiles, round 15) are read off the same per-decision
/// terms; the assertion is on <see cref="Interval"/> (percentile-or-pooled since round 20) unless WB_COVERAGE_INTERVAL=KIND names
/// another; WB_COVERAGE_ACCOUNTS=N sets the book size. WB_COVERAGE_LOG=FILE appends each seed's lines as it finishes. WB_COVERAGE_SEEDS=121-140 (or a comma list) picks other data seeds (the
/// evaluation's seed is the data seed minus 100, as for the original 101-120); WB_COVERAGE_SAMPLES=N sets the resamples
/// (default the library's 300).</summary>
public sealed class ActionCoverageTests(ITestOutputHelper output)
{
    /// <summary>The intervals read off each seed's terms: the library's kinds, then diagnostics that are not library
    /// options (round 19: the pooled variance with one residual variance per action, no bins of the predicted reward).</summary>
    static readonly string[] Kinds = [.. Enum.GetValues<BootstrapInterval>().Select(k => k.ToString()), "PooledOneBin", "PercentileOrPooledOneBin"];

    /// <summary>The book size and interval of issue #15's coverage item (round 20): at 2,000 accounts x 24 months the
    /// percentile-or-pooled interval covered every policy in 18-20 of 20 seeds on seeds 101-120, 121-140 and 161-180 (the
    /// percentile interval: the rules 15/20 on 121-140).</summary>
    public const int Accounts = 2_000;
    public const BootstrapInterval Interval = BootstrapInterval.PercentileOrPooled;

    [SlowFact]
    public void The_doubly_robust_interval_covers_each_policys_true_value_in_at_least_90_percent_of_20_seeds()
    {
        var options = new ActionOptions { ValueModel = new ActionOptions().ValueModel with { Trees = 20 } };
        if (int.TryParse(Environment.GetEnvironmentVariable("WB_COVERAGE_SAMPLES"), out int samples)) options = options with { BootstrapSamples = samples };
        int accounts = int.TryParse(Environment.GetEnvironmentVariable("WB_COVERAGE_ACCOUNTS"), out int acc) ? acc : Accounts;
        int[] dataSeeds = ParseSeeds(Environment.GetEnvironmentVariable("WB_COVERAGE_SEEDS") ?? "101-120");
        int seeds = dataSeeds.Length;
        // WB_COVERAGE_INTERVAL=KIND: the interval the assertion reads (any name of Kinds); default Interval.
        var defaultInterval = Environment.GetEnvironmentVariable("WB_COVERAGE_INTERVAL") is { Length: > 0 } asserted
            ? Kinds.Single(k => string.Equals(k, asserted, StringComparison.OrdinalIgnoreCase)) : Interval.ToString();
        var results = new ActionEvaluationResult[seeds];
        var intervals = new Dictionary<string, Dictionary<string, (double Low, double High)>>[seeds];
        // Round 15's lever (a diagnostic, not the library's estimate): the per-decision DR terms winsorized at their own
        // 1st and 99th percentiles, with the default interval over accounts; biased downward by the trimmed right tail.
        var winsorized = new Dictionary<string, (double Dr, double Low, double High)>[seeds];
        Parallel.For(0, seeds, new ParallelOptions { MaxDegreeOfParallelism = 2 }, s =>
        {
            var data = CrmGenerator.Generate(new GeneratorOptions { Accounts = accounts, Months = 24, Seed = dataSeeds[s] });
            // As a run builds them: the run's segmentation as the observed segment (round 14); WB_COVERAGE_SEGMENTS=none: segment 0.
            var frame = Environment.GetEnvironmentVariable("WB_COVERAGE_SEGMENTS") == "none" ? DecisionFrame.Build(data)
                : DecisionFrame.Build(data, ActionFixture.RunSegmentation(data, dataSeeds[s]));
            var run = options with { Seed = dataSeeds[s] - 100 };
            var (result, terms) = ActionEvaluation.EvaluateWithTerms(frame, RuleSet.Parse(RuleSet.DefaultJson, frame.Actions), run);
            results[s] = result;
            intervals[s] = result.Policies.ToDictionary(p => p.Policy, p =>
            {
                var t = terms[p.Policy];
                var kinds = Enum.GetValues<BootstrapInterval>().ToDictionary(kind => kind.ToString(), kind => ActionEvaluation.DrInterval(frame, t, run with { Interval = kind }, p.Policy));
                var (pl, ph) = kinds[nameof(BootstrapInterval.Percentile)];
                var (sl, sh) = ActionEvaluation.PooledInterval(frame, t, 0.95, bins: 1);
                kinds["PooledOneBin"] = (sl, sh);
                kinds["PercentileOrPooledOneBin"] = (Math.Min(sl, pl), Math.Max(sh, ph));
                return kinds;
            });
            winsorized[s] = result.Policies.ToDictionary(p => p.Policy, p =>
            {
                var w = Winsorize(terms[p.Policy].Dr, 0.01, 0.99);
                var (low, high) = ActionEvaluation.DrInterval(frame, w, run with { Interval = BootstrapInterval.Percentile }, p.Policy);
                return (w.Average(), low, high);
            });
            // WB_COVERAGE_DUMP=DIR: each seed's per-decision terms (account, action, reward, residual, then each policy's
            // direct term and weight) and each policy's true value, for offline study of intervals.
            if (Environment.GetEnvironmentVariable("WB_COVERAGE_DUMP") is { Length: > 0 } dump)
            {
                var names = result.Policies.Select(p => p.Policy).ToArray();
                File.WriteAllLines(Path.Combine(dump, $"terms-{dataSeeds[s]}.csv"), new[] { "account,action,reward,residual," + string.Join(",", names.Select(x => $"dm_{x},w_{x}")) }
                    .Concat(Enumerable.Range(0, frame.Count).Select(i => string.Create(CultureInfo.InvariantCulture,
                        $"{frame.Decisions[i].AccountId},{frame.Decisions[i].Action},{frame.Decisions[i].Reward:R},{terms[names[0]].Residual[i]:R},") +
                        string.Join(",", names.Select(x => string.Create(CultureInfo.InvariantCulture, $"{terms[x].Dm[i]:R},{terms[x].Weight[i]:R}"))))));
                File.WriteAllLines(Path.Combine(dump, $"truth-{dataSeeds[s]}.csv"), result.Policies.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Policy},{p.TrueValue:R},{p.Dr:R}")));
            }
            // The result's own interval is the default kind's, read the same way.
            Assert.All(result.Policies, p => Assert.Equal((p.DrCiLow, p.DrCiHigh), intervals[s][p.Policy][run.Interval.ToString()]));
            // WB_COVERAGE_LOG=FILE: each seed's lines as it finishes (a long run's partial results survive a stop).
            if (Environment.GetEnvironmentVariable("WB_COVERAGE_LOG") is { Length: > 0 } log)
                lock (intervals)
                    File.AppendAllLines(log, result.Policies.Select(p => SeedLine(dataSeeds[s], p, intervals[s][p.Policy], winsorized[s][p.Policy])));
        });
        for (int s = 0; s < seeds; s++)
            foreach (var p in results[s].Policies)
                output.WriteLine(SeedLine(dataSeeds[s], p, intervals[s][p.Policy], winsorized[s][p.Policy]));
        var covered = new Dictionary<string, int>();
        var summary = new List<string>();
        foreach (var policy in results[0].Policies.Select(p => p.Policy))
        {
            int Count(string kind) => Enumerable.Range(0, seeds).Count(s => Covers(intervals[s][policy][kind], results[s][policy].TrueValue!.Value));
            double Bias(Func<PolicyValue, double> estimate) => results.Average(r => estimate(r[policy]) - r[policy].TrueValue!.Value);
            double Width(string kind) => intervals.Average(x => x[policy][kind].High - x[policy][kind].Low);
            covered[policy] = Count(defaultInterval);
            int winsorizedCovered = Enumerable.Range(0, seeds).Count(s => Covers((winsorized[s][policy].Low, winsorized[s][policy].High), results[s][policy].TrueValue!.Value));
            double winsorizedBias = Enumerable.Range(0, seeds).Average(s => winsorized[s][policy].Dr - results[s][policy].TrueValue!.Value);
            double winsorizedWidth = winsorized.Average(x => x[policy].High - x[policy].Low);
            summary.Add(string.Create(CultureInfo.InvariantCulture, $"{policy,-8} DR coverage ") +
                string.Join(" ", Kinds.Select(kind => string.Create(CultureInfo.InvariantCulture, $"{kind} {Count(kind)}/{seeds} (mean width {Width(kind):F0})"))) +
                string.Create(CultureInfo.InvariantCulture, $" winsorized DR {winsorizedCovered}/{seeds} (mean width {winsorizedWidth:F0}, bias {winsorizedBias:F1})" +
                $"  IPS bias {Bias(p => p.Ips):F1}  DR bias {Bias(p => p.Dr):F1}  DM bias {Bias(p => p.Dm):F1}"));
        }
        foreach (var line in summary) output.WriteLine(line);
        if (Environment.GetEnvironmentVariable("WB_COVERAGE_LOG") is { Length: > 0 } summaryLog) File.AppendAllLines(summaryLog, summary);
        Assert.All(covered, kv => Assert.True(kv.Value >= 18 * seeds / 20.0, $"{kv.Key}: the {defaultInterval} DR interval covered the true value in {kv.Value} of {seeds} seeds"));
    }

    static bool Covers((double Low, double High) ci, double truth) => truth >= ci.Low && truth <= ci.High;

    /// <summary>One seed's line for one policy: truth, the estimates and every interval with whether it covers.</summary>
    static string SeedLine(int dataSeed, PolicyValue p, Dictionary<string, (double Low, double High)> ci, (double Dr, double Low, double High) wz)
    {
        double truth = p.TrueValue!.Value;
        string Kind(string kind) => string.Create(CultureInfo.InvariantCulture, $" {kind} [{ci[kind].Low:F0}, {ci[kind].High:F0}] {Covers(ci[kind], truth)}");
        return string.Create(CultureInfo.InvariantCulture, $"data seed {dataSeed} {p.Policy,-8} true {truth:F0} DM {p.Dm:F0} IPS {p.Ips:F0} DR {p.Dr:F0}") +
            string.Concat(Kinds.Select(Kind)) +
            string.Create(CultureInfo.InvariantCulture, $" winsorized DR {wz.Dr:F0} [{wz.Low:F0}, {wz.High:F0}] {Covers((wz.Low, wz.High), truth)}");
    }

    /// <summary>A copy of <paramref name="x"/> with values below its <paramref name="low"/> quantile or above its
    /// <paramref name="high"/> quantile set to those quantiles.</summary>
    static double[] Winsorize(double[] x, double low, double high)
    {
        var sorted = x.Order().ToArray();
        double lo = sorted[(int)Math.Floor(low * (sorted.Length - 1))], hi = sorted[(int)Math.Ceiling(high * (sorted.Length - 1))];
        return x.Select(v => Math.Clamp(v, lo, hi)).ToArray();
    }

    /// <summary>"101-120" or "121,125,130".</summary>
    static int[] ParseSeeds(string text) => text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
        .SelectMany(part => part.Split('-') is [var from, var to]
            ? Enumerable.Range(int.Parse(from, CultureInfo.InvariantCulture), int.Parse(to, CultureInfo.InvariantCulture) - int.Parse(from, CultureInfo.InvariantCulture) + 1)
            : [int.Parse(part, CultureInfo.InvariantCulture)]).ToArray();
}

/// <summary>Issue #15's first Done-when item at the book size where it holds on every seed measured: on a book of 16,000
/// accounts x 36 months (seed 7; about 51,000 logged decisions) with the run's segmentation as the observed segment, the
/// cross-fitted learned policy's true long-term value is at least 90% of the oracle's and above the rules', the myopic
/// policy's and the logging policy's. The learning curve behind the size (docs/actions.md, rounds 15-17, seeds 7-14 each):
/// mean 88.4% at 1,000 accounts, 89.5-90.0% at 2,000, 89.9-90.4% at 4,000 and 90.3% at 8,000 (seed 14 at 88.5%), and every
/// seed at 90% or more at 16,000. Smaller books (the ActionFixture's) keep the beat-the-others assertions. About 4-5 CPU
/// minutes and 1.6 GB: its own class, so it runs beside the others.</summary>
public sealed class ActionPolicyAtScaleTests(ITestOutputHelper output)
{
    public const int Accounts = 16_000;

    [Fact]
    public void On_a_16000_account_book_the_learned_policy_reaches_90_percent_of_the_oracle_and_beats_the_others()
    {
        // As a run judges it: the contexts' segment from the run's segmentation.
        var frame = ActionFixture.RunLikeFrame(Accounts, seed: 7);
        var e = ActionEvaluation.Evaluate(frame, RuleSet.Parse(RuleSet.DefaultJson, frame.Actions));
        double learned = e["learned"].TrueValue!.Value, oracle = e["oracle"].TrueValue!.Value;
        string values = string.Join(", ", e.Policies.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Policy} {p.TrueValue:F1}")));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{frame.Count} decisions; learned / oracle {learned / oracle:P1}; true value {values}"));
        Assert.True(learned >= 0.9 * oracle, string.Create(CultureInfo.InvariantCulture, $"learned {learned:F1} < 90% of oracle {oracle:F1}"));
        foreach (var other in new[] { "rules", "myopic", "logging" })
            Assert.True(learned > e[other].TrueValue!.Value, string.Create(CultureInfo.InvariantCulture, $"learned {learned:F1} <= {other} {e[other].TrueValue:F1}"));
    }
}
