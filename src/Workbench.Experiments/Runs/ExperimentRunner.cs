using Workbench.Analytics;
using Workbench.Analytics.Actions;
using Workbench.Analytics.Features;
using Workbench.Analytics.Labeling;
using Workbench.Analytics.Prioritization;
using Workbench.Analytics.Ranking;
using Workbench.Analytics.Territory;
using Workbench.Analytics.Testing;
using Workbench.Data;
using Workbench.Experiments.Opportunities;
using Workbench.Experiments.Pipeline;
using Workbench.Experiments.Specs;

namespace Workbench.Experiments.Runs;

/// <summary>Where a run is: its id, the stage and the overall fraction done (0..1).</summary>
public sealed record RunProgress(string RunId, string Stage, double Fraction);

/// <summary>
/// Runs an experiment end to end and records it: labels and features, training and evaluation, explanation,
/// segmentation, and (when the spec has the sections) the A/B impact readout, the territory plan and the opportunity pipeline, with the same stages as the CLI commands (<see cref="PipelineStages"/>). The record holds the filled
/// spec and its hash, flat metrics, data fingerprints, the code version, the environment and the artifacts.
/// <code>
/// var record = ExperimentRunner.Run(ExperimentSpec.Load("experiments/sample.json"), new RunStore(".workbench"));
/// Console.WriteLine(record.Metrics["churn.auc"]);
/// </code>
/// </summary>
public static class ExperimentRunner
{
    /// <summary>Folders of a run besides <see cref="StoreLayout.ModelFolder"/>.</summary>
    public const string ExplanationFolder = "explanation", SegmentationFolder = "segmentation", RejectsFolder = "rejects",
        ImpactFolder = "impact", TerritoryFolder = "territory", LifetimeFolder = "lifetime", PipelineFolder = "pipeline", ActionsFolder = "actions";

    /// <summary>Runs a spec file in the store.</summary>
    public static RunRecord Run(string specPath, RunStore store, IProgress<RunProgress>? progress = null) =>
        Run(ExperimentSpec.Load(specPath), store, progress, File.ReadAllText(specPath), Path.GetDirectoryName(Path.GetFullPath(specPath)));

    /// <summary>Runs the spec in the store and returns the final record (also in the run folder's run.json). On an
    /// exception the record is saved as Failed with the error, and the exception is rethrown.</summary>
    /// <param name="spec">The experiment.</param>
    /// <param name="store">Where the run is recorded.</param>
    /// <param name="progress">Stage and fraction done; reported on the calling thread.</param>
    /// <param name="specText">The spec as given (saved as spec.json); default: the filled spec.</param>
    /// <param name="specDirectory">The spec file's folder, recorded so the run can be reproduced from spec.json.</param>
    public static RunRecord Run(ExperimentSpec spec, RunStore store, IProgress<RunProgress>? progress = null, string? specText = null, string? specDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(store);
        using var handle = store.Begin();
        var dir = handle.Directory;
        AtomicFile.WriteText(Path.Combine(dir, StoreLayout.SpecFile), specText ?? spec.ToJson());
        using var specDoc = JsonDocument.Parse(spec.ToJson());
        var record = new RunRecord
        {
            Id = handle.Id, Name = spec.Name, Status = RunStatus.Running, StartedUtc = handle.StartedUtc,
            Spec = specDoc.RootElement.Clone(), SpecHash = spec.Hash(), SpecDirectory = specDirectory, Seed = spec.Seed,
            Code = RunEnvironment.CodeVersion(), Environment = RunEnvironment.Describe(),
            PromotionFloors = new Dictionary<string, double>(spec.PromotionFloors, StringComparer.Ordinal),
        };
        handle.Write(record);
        var metrics = new SortedDictionary<string, double>(StringComparer.Ordinal);
        var artifacts = new List<string> { StoreLayout.SpecFile };
        try
        {
            double done = 0;
            void Report(string stage, double fraction)
            {
                done = Math.Max(done, Math.Min(fraction, 1)); // never backwards, even by a rounding error
                progress?.Report(new RunProgress(handle.Id, stage, done));
            }
            // Fingerprinting only reads and hashes the data files, as loading reads them: it runs beside the load on a thread of
            // its own (one core's work, 1.4 s at 100,000 accounts, where loading leaves part of the second core idle).
            Report("loading data (fingerprinting beside)", 0);
            var fingerprint = Task.Factory.StartNew(() => DatasetFingerprint.Compute(spec.Data.FullPath), CancellationToken.None,
                TaskCreationOptions.LongRunning, TaskScheduler.Default);
            CrmDataset data;
            try { data = LoadDataset(spec, dir, metrics, artifacts); }
            catch
            {
                // A sequential run fingerprinted first: a fingerprinting failure (a missing folder) is the one reported, and a
                // failed load is recorded with the data's fingerprint as before.
                WaitUnobserved(fingerprint);
                record = WithFingerprint(record, fingerprint.GetAwaiter().GetResult());
                throw;
            }
            record = WithFingerprint(record, fingerprint.GetAwaiter().GetResult());
            handle.Write(record);

            Report("labels and features", 0.05);
            // One monthly panel for the features and segmentation (a second one was about 14 KB per account; docs/scale.md).
            spec.Options.Validate();
            PipelineStages.RequireSpend(data);
            var options = spec.Options with { LabelSource = spec.Options.LabelSource ?? Labeler.AutoSource(data) };
            MonthlyPanel? panel = BuildPanel(spec, ref data);
            // Collected now, so the labels and features reuse the released rows' memory instead of growing the heap past it.
            CollectBetweenStages();
            var modelDir = store.Layout.RunModelDirectory(handle.Id);
            var segmentation = SegmentBesideTraining(spec, data, panel, dir);
            try { TrainAndExplain(spec, options, ref data, panel, modelDir, dir, metrics, artifacts, Report, segmentation); }
            catch
            {
                // A sequential run stopped before segmentation: no segmentation file is written after the run is recorded as failed.
                WaitUnobserved(segmentation);
                throw;
            }
            // The labeled features, training rows and narratives are garbage now; collected before the later stages allocate
            // on top of them (without this, segmentation was the peak of the run at 100,000 accounts: docs/scale.md). Segmentation
            // now runs beside training, so without an optional section (impact, territory, lifetime, opportunities, actions) nothing
            // allocates after this point and the collection (0.4 s at 100,000 accounts) is skipped.
            if (HasOptionalSections(spec)) CollectBetweenStages();

            // Reported where segmentation ran before it was overlapped: its wall time is now the wait for the rest of it.
            Report("segmentation", 0.75);
            var segment = segmentation.GetAwaiter().GetResult();
            panel = null;
            // The actions stage reads the run's segmentation (a few numbers: centroids, scaler), not the segmented rows.
            var observedSegments = spec.Actions is null || !segment.Result.Assignments.Any(s => s >= 0) ? null
                : ObservedSegments.From(segment.Result, segment.Profiles);
            artifacts.AddRange(segment.Files.Select(f => Rel(dir, f)));
            metrics["segment.k"] = segment.Result.K;
            if (segment.Result.KSelection is { } sel) metrics["segment.recommended_k"] = sel.RecommendedK;
            metrics["segment.silhouette"] = segment.Result.Silhouette.Mean;
            metrics["segment.stability_ari"] = segment.Result.StabilityAri;
            metrics["segment.min_segment_share"] = segment.Result.Quality.MinShare;
            if (segment.TrueSegments is { } truth)
            {
                metrics["segment.ari"] = segment.Result.CompareWith(truth).AdjustedRandIndex;
                metrics["segment.planted_k"] = truth.Distinct().Count();
            }

            if (spec.Impact is { } impactOptions)
            {
                Report("impact", 0.85);
                var impact = ImpactAnalysis.Analyze(data, impactOptions);
                artifacts.AddRange(FilesUnder(dir, ImpactArtifacts.Write(impact, Path.Combine(dir, ImpactFolder))));
                AddImpactMetrics(metrics, impact);
            }

            if (spec.Territory is { } territoryOptions)
            {
                Report("territory", 0.9);
                var model = TerritoryPlanner.Fit(data, territoryOptions);
                var plan = model.Plan(model.BookFor(data));
                var evaluation = TerritoryEvaluation.Evaluate(model, data, plan, spec.TerritoryEvaluation);
                artifacts.AddRange(FilesUnder(dir, TerritoryArtifacts.Write(model, plan, evaluation, Path.Combine(dir, TerritoryFolder))));
                AddTerritoryMetrics(metrics, model, evaluation);
            }

            if (spec.Lifetime is { } lifetimeSpec)
            {
                Report("lifetime", 0.92);
                var lifetime = LifetimeStage.Run(data, Path.Combine(dir, LifetimeFolder), lifetimeSpec.CalibrationEnd, lifetimeSpec.TimeUnit, lifetimeSpec.Options);
                artifacts.AddRange(lifetime.Files.Select(f => Rel(dir, f)));
                // The lifetime part of the run's model: promotion copies it and scoring then puts CLV in the book.
                var lifetimeModelPath = Path.Combine(modelDir, LifetimeStage.ModelFileName);
                AtomicFile.Write(lifetimeModelPath, lifetime.Model.Save);
                artifacts.Add(Rel(dir, lifetimeModelPath));
                AddLifetimeMetrics(metrics, lifetime);
            }

            if (spec.Opportunities is { } opportunityOptions)
            {
                Report("opportunity pipeline", 0.95);
                var pipelineDir = Path.Combine(dir, PipelineFolder);
                var pipeline = OpportunityPipelineJob.Run(data, pipelineDir, opportunityOptions);
                // The opportunity model joins the prioritizer in the run's model folder, where promotion picks it up.
                var opportunityModel = Path.Combine(modelDir, OpportunityPipelineJob.ModelFileName);
                File.Move(Path.Combine(pipelineDir, OpportunityPipelineJob.ModelFileName), opportunityModel);
                artifacts.AddRange(FilesUnder(dir, [Path.Combine(pipelineDir, OpportunityPipelineJob.MetricsFile)]));
                artifacts.Add(Rel(dir, opportunityModel));
                foreach (var (key, value) in OpportunityPipelineJob.FlatMetrics(pipeline.Evaluation, pipeline.Calls)) metrics["pipeline." + key] = value;
            }

            if (spec.Actions is { } actionOptions)
            {
                Report("next best action", 0.97);
                // The contexts' segment is the run's segmentation applied point in time; it is saved with the policy.
                var actions = ActionStage.Run(data, Path.Combine(dir, ActionsFolder), actionOptions, observedSegments);
                // The action policy joins the prioritizer in the run's model folder: promotion copies it and scoring
                // then fills each account's next action in the book.
                var actionModelPath = Path.Combine(modelDir, ActionStage.ModelFileName);
                File.Move(Path.Combine(dir, ActionsFolder, ActionStage.ModelFileName), actionModelPath);
                artifacts.AddRange(FilesUnder(dir, actions.Files.Take(2).ToList()));
                artifacts.Add(Rel(dir, actionModelPath));
                foreach (var (key, value) in ActionStage.FlatMetrics(actions)) metrics["actions." + key] = value;
            }

            record = record with
            {
                Status = RunStatus.Succeeded, FinishedUtc = DateTimeOffset.UtcNow, Metrics = Finite(metrics), Artifacts = artifacts,
            };
            handle.Write(record);
            Report("done", 1);
            return record;
        }
        catch (Exception ex)
        {
            record = record with
            {
                Status = RunStatus.Failed, FinishedUtc = DateTimeOffset.UtcNow, Metrics = Finite(metrics), Artifacts = artifacts,
                Error = $"{ex.GetType().Name}: {ex.Message}",
            };
            handle.Write(record);
            throw;
        }
    }

    /// <summary>Whether the spec has a stage after segmentation (impact, territory, lifetime, opportunities, actions).</summary>
    static bool HasOptionalSections(ExperimentSpec spec) =>
        spec.Impact is not null || spec.Territory is not null || spec.Lifetime is not null || spec.Opportunities is not null || spec.Actions is not null;

    static RunRecord WithFingerprint(RunRecord record, DatasetFingerprint fp) => record with { Data = new DataFingerprint(fp.Directory, fp.Sha256, fp.Files) };

    /// <summary>The canonical and truth tables a run of the spec reads (null: all). Labels, features, training, evaluation,
    /// explanation and segmentation read neither opportunities, their stage history and activities nor the action log,
    /// and of the planted truth only the risks and segments; the optional sections (impact, territory, lifetime,
    /// opportunities, actions) may read any table, so with one of them everything is loaded. At 100,000 accounts the
    /// skipped tables were a third of the loaded dataset's memory (docs/scale.md).</summary>
    internal static (IReadOnlyList<string>? Tables, IReadOnlyList<string>? TruthTables) TablesRead(ExperimentSpec spec)
    {
        if (HasOptionalSections(spec)) return (null, null);
        string[] unread = [CrmSchema.Opportunities, CrmSchema.StageHistory, CrmSchema.OpportunityActivities, CrmSchema.Actions];
        return (CrmSchema.Tables.Select(t => t.Name).Except(unread).ToArray(),
            [TruthSchema.Risks, TruthSchema.Segments, TruthSchema.RepSkills, TruthSchema.RepBiases, TruthSchema.ActionResponses]);
    }

    /// <summary>Loads the tables the run reads (<see cref="TablesRead"/>); rejected rows of a lenient load are written to the
    /// run's rejects folder and counted. A method of its own so the load result is not a local of the long
    /// <see cref="Run(ExperimentSpec, RunStore, IProgress{RunProgress}?, string?, string?)"/>, which would hold every row.</summary>
    static CrmDataset LoadDataset(ExperimentSpec spec, string dir, SortedDictionary<string, double> metrics, List<string> artifacts)
    {
        var (tables, truthTables) = TablesRead(spec);
        var load = PipelineStages.LoadDataset(spec.Data.FullPath, spec.Data.Lenient, Path.Combine(dir, RejectsFolder), ExperimentSpec.RequiredTables, tables, truthTables);
        if (load.Report.Tables.Any(t => t.Rejected > 0))
        {
            AtomicFile.WriteText(Path.Combine(dir, RejectsFolder, "load-report.txt"), load.Report.ToText());
            artifacts.AddRange(Directory.GetFiles(Path.Combine(dir, RejectsFolder), "*", SearchOption.AllDirectories).Select(f => Rel(dir, f)).Order(StringComparer.Ordinal));
            metrics["data.rejected_rows"] = load.Report.Tables.Sum(t => t.Rejected);
        }
        return load.Dataset;
    }

    /// <summary>The dataset without the fact tables only the monthly panel reads (spend, usage, engagement, bookings,
    /// transactions), once the run has built its panel. Labels, features, evaluation, explanation and segmentation then read
    /// the panel, and of the dataset only the accounts, products, book, contracts and planted truth; the optional sections
    /// (impact, territory, lifetime, opportunities, actions) read the tables themselves, so with one of them the dataset is
    /// kept whole. At 100,000 accounts these rows were most of the loaded dataset's memory (docs/scale.md).</summary>
    internal static CrmDataset WithoutFactTablesRead(ExperimentSpec spec, CrmDataset data) =>
        TablesRead(spec).Tables is null ? data : MonthlyPanel.WithoutFactTables(data);

    /// <summary>The dataset with the planted risks of <paramref name="month"/> only (the month explanation tells).</summary>
    internal static CrmDataset WithPlantedRisksOf(CrmDataset data, DateOnly month) =>
        data.Truth is { Risks.Count: > 0 } truth ? data with { Truth = truth with { Risks = truth.Risks.Where(r => r.Month == month).ToList() } } : data;

    /// <summary>A full, compacting collection that also returns the freed memory to the system (aggressive mode), at a
    /// stage boundary where the previous stage's rows just became garbage: the server GC would otherwise keep them (or their
    /// emptied space) in the working set while the next stage grows the heap, and the run's peak is the sum.</summary>
    static void CollectBetweenStages() => GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);

    /// <summary>The run's monthly panel. When the later stages do not read the fact tables (<see cref="WithoutFactTablesRead"/>),
    /// <paramref name="data"/> is replaced by the dataset without them and each table is released, and collected, as soon
    /// as the panel has read it, so the panel's arrays take the place of the rows instead of adding to them: building the
    /// panel on top of every loaded row was the run's peak at 100,000 accounts (docs/scale.md).</summary>
    static MonthlyPanel BuildPanel(ExperimentSpec spec, ref CrmDataset data)
    {
        if (TablesRead(spec).Tables is null) return new MonthlyPanel(data);
        return MonthlyPanel.BuildReleasing(ref data, () => GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: false));
    }

    /// <summary>Waits for <paramref name="task"/> to end without raising its failure (raised where its result is taken).</summary>
    static void WaitUnobserved(Task task)
    {
        try { task.Wait(); } catch (AggregateException) { }
    }

    /// <summary>Segmentation of the run's monthly panel, started now on a thread of its own and joined where it ran before
    /// (after explanation; training waits for it before its metrics and books). It reads only the panel and the planted segments,
    /// never the models, and writes only its own folder,
    /// so its files are those of a sequential run; beside labels, features and training it uses the core that LightGBM leaves
    /// idle (ML.NET boosts one model at a time per process, on one thread by the spec: docs/scale.md). It gets the dataset
    /// without the planted monthly risks, so it never keeps them alive after training has cut them.</summary>
    static Task<SegmentOutput> SegmentBesideTraining(ExperimentSpec spec, CrmDataset data, MonthlyPanel panel, string dir)
    {
        var seg = spec.Segmentation;
        var segmentData = data.Truth is { } truth ? data with { Truth = truth with { Risks = [] } } : data;
        return Task.Factory.StartNew(() => PipelineStages.Segment(segmentData, seg.Method, seg.K, seg.Seed ?? spec.Seed,
            Path.Combine(dir, SegmentationFolder), seg.AsOf, seg.KMin, seg.KMax, panel), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Labels, features, training, evaluation and explanation on the run's monthly panel, with the label source
    /// already resolved in <paramref name="options"/>. A method of its own so that the labeled features, the
    /// training rows and the narratives (most of the run's memory after the dataset) are unreachable once it returns, before
    /// segmentation and the later stages (a local of the long <see cref="Run(ExperimentSpec, RunStore, IProgress{RunProgress}?, string?, string?)"/>
    /// stays alive to its end in unoptimized code). <c>segmentation</c>, running beside (<see cref="SegmentBesideTraining"/>), is
    /// waited for (not observed) before the evaluation's metrics and books, the run's memory peak at 100,000 accounts, and the
    /// memory it took is then returned (a full aggressive collection), so its rows never add to that peak.</summary>
    static void TrainAndExplain(ExperimentSpec spec, PipelineOptions options, ref CrmDataset data, MonthlyPanel panel, string modelDir, string dir,
        SortedDictionary<string, double> metrics, List<string> artifacts, Action<string, double> report, Task segmentation)
    {
        // "training and evaluation" is reported by step (fitting and scoring the test months, metrics and books).
        string trainingStep = "training and evaluation: fitting and scoring the test months";
        var (features, model, ranking) = PipelineStages.Fit(data, options,
            new Progress(f => report(f < 0.3 ? "labels and features" : trainingStep, 0.05 + 0.55 * f)), panel,
            new Steps(step =>
            {
                if (step == PrioritizerEvaluation.MetricsStep)
                {
                    report("training and evaluation: waiting for segmentation, collecting", 0.05 + 0.55 * 0.3);
                    WaitUnobserved(segmentation); // its exception, if any, is raised where segmentation is joined
                    // Segmentation's rows are garbage by now, but the server GC keeps the memory they took (at 100,000 accounts the
                    // working set entered the metrics 0.37 GB above a sequential run's and peaked at 4,133 MB: docs/scale.md).
                    CollectBetweenStages();
                }
                report(trainingStep = "training and evaluation: " + step, 0.05 + 0.55 * 0.3);
            }));
        foreach (var m in new[] { ranking.Churn, ranking.Upsell }) AddRankingMetrics(metrics, m, ranking.K);
        metrics["data.snapshots"] = features.SnapshotCount;

        // The planted monthly hazards (one row per account, product and month: about 0.3 GB at 100,000 accounts) were read
        // by the evaluation's oracle; from here on only the explained month's are read (its driver match), so the rest go.
        data = WithPlantedRisksOf(data, features.Features.Panel.MonthAt(PipelineStages.ExplainedMonth(features)));
        // Training's intermediate rows and models are garbage once it returns: collected before explanation allocates.
        report("training and evaluation: collecting", 0.59);
        CollectBetweenStages();
        report("explanation (the model folder written beside)", 0.6);
        // The explanation reads the fitted model in memory, never its file: the model folder (the model file, metrics.json, the
        // ranked book, the curves; one core's work, 2 s at 100,000 accounts) is written on a thread of its own beside it.
        var writing = Task.Factory.StartNew(() => RankingArtifacts.Write(model, ranking, modelDir), CancellationToken.None,
            TaskCreationOptions.LongRunning, TaskScheduler.Default);
        ExplainOutput explain;
        // Each step of the explanation is a stage of the run's progress (WORKBENCH_TIMINGS=1 prints one line per step).
        try { explain = PipelineStages.Explain(model, data, spec.Explanation, Path.Combine(dir, ExplanationFolder), features, new Steps(step => report(step, 0.6))); }
        catch
        {
            // A sequential run wrote the model folder first: its failure is the one reported.
            WaitUnobserved(writing);
            writing.GetAwaiter().GetResult();
            throw;
        }
        report("explanation: waiting for the model folder", 0.7);
        var modelFiles = writing.GetAwaiter().GetResult();
        artifacts.AddRange(modelFiles.Select(f => Rel(dir, f)));
        artifacts.AddRange(explain.Files.Select(f => Rel(dir, f)));
        metrics["explain.rows_explained"] = explain.Summary.RowsExplained;
        if (explain.Summary.DriverMatchTopDecile is double match)
        {
            metrics["explain.driver_match_top_decile"] = match;
            metrics["explain.churn_driver_match_top_decile"] = explain.Summary.ChurnFidelity!.Rate;
            metrics["explain.upsell_driver_match_top_decile"] = explain.Summary.UpsellFidelity!.Rate;
        }
    }

    /// <summary>"churn.auc", "churn.pr_auc", "churn.ndcg_at_10", ... from one target's evaluation (the numbers of metrics.json).</summary>
    static void AddRankingMetrics(IDictionary<string, double> metrics, TargetMetrics m, int k)
    {
        foreach (var (key, value) in RankingArtifacts.MetricsOf(m, k))
        {
            switch (value)
            {
                case double d: metrics[$"{m.Target.Name()}.{key}"] = d; break;
                case int i: metrics[$"{m.Target.Name()}.{key}"] = i; break;
                case IReadOnlyDictionary<string, double> byName:
                    foreach (var (name, v) in byName) metrics[$"{m.Target.Name()}.{key}.{name}"] = v;
                    break;
            }
        }
    }

    /// <summary>"impact.cuped_lift", "impact.cuped_ci_low", ... (fractions, as estimates.json writes them).</summary>
    static void AddImpactMetrics(IDictionary<string, double> metrics, ImpactResult r)
    {
        foreach (var (name, e) in new[] { ("unadjusted", r.Unadjusted), ("cuped", r.Cuped), ("regression", r.Regression), ("did", r.DifferenceInDifferences) })
        {
            metrics[$"impact.{name}_lift"] = e.Lift;
            metrics[$"impact.{name}_ci_low"] = e.CiLow;
            metrics[$"impact.{name}_ci_high"] = e.CiHigh;
            metrics[$"impact.{name}_p_value"] = e.PValue;
        }
        metrics["impact.variance_reduction"] = r.VarianceReductionCuped;
        metrics["impact.variance_reduction_regression"] = r.VarianceReductionRegression;
        metrics["impact.variance_reduction_did"] = r.VarianceReductionDid;
        metrics["impact.cuped_bootstrap_ci_low"] = r.BootstrapLow;
        metrics["impact.cuped_bootstrap_ci_high"] = r.BootstrapHigh;
        metrics["impact.power"] = r.Power.PowerCuped;
        metrics["impact.power_unadjusted"] = r.Power.PowerUnadjusted;
        metrics["impact.mde"] = r.Power.MdeCuped;
        metrics["impact.underpowered"] = r.Power.Underpowered ? 1 : 0;
        metrics["impact.treatment_reps"] = r.SampleRatio.TreatmentClusters;
        metrics["impact.control_reps"] = r.SampleRatio.ControlClusters;
        metrics["impact.sample_ratio_p_value"] = r.SampleRatio.PValue;
        if (r.PlantedUplift is { } planted)
        {
            metrics["impact.planted_uplift"] = planted;
            if (r.Data.Metric == ExperimentMetric.RenewalBookings) metrics["impact.cuped_covers_planted"] = r.Cuped.Covers(planted) ? 1 : 0;
        }
    }

    /// <summary>"territory.expected_wins_plan", "territory.true_expected_wins_oracle", "territory.uplift_recovered", ... (summary.json, flat).</summary>
    static void AddTerritoryMetrics(IDictionary<string, double> metrics, TerritoryModel model, TerritoryEvaluationResult e)
    {
        void Wins(string prefix, WinsComparison w)
        {
            metrics[$"territory.{prefix}_plan"] = w.Plan;
            metrics[$"territory.{prefix}_current"] = w.Current;
            metrics[$"territory.{prefix}_region_baseline"] = w.RegionBaseline;
            if (w.Oracle is double oracle) metrics[$"territory.{prefix}_oracle"] = oracle;
        }
        Wins("expected_wins", e.ExpectedWins);
        if (e.TrueExpectedWins is { } t) Wins("true_expected_wins", t);
        if (e.UpliftRecovered is double u) metrics["territory.uplift_recovered"] = u;
        metrics["territory.moves"] = e.Moves;
        metrics["territory.capacity_violations"] = e.CapacityViolations;
        metrics["territory.continuity_violations"] = e.ContinuityViolations;
        metrics["territory.accounts"] = e.Plan.Book.Accounts.Count;
        metrics["territory.reps"] = e.Plan.Book.Reps.Count;
        metrics["territory.groups"] = model.Groups.Count;
    }

    /// <summary>"lifetime.bg_nbd_log_likelihood", "lifetime.spearman_12m", "lifetime.baseline_spearman_12m", ... (the numbers
    /// of parameters.json and clv-metrics.json, flat).</summary>
    static void AddLifetimeMetrics(IDictionary<string, double> metrics, LifetimeOutput o)
    {
        var m = o.Model;
        metrics["lifetime.customers"] = o.Summaries.Customers.Count;
        metrics["lifetime.bg_nbd_log_likelihood"] = m.BgNbdFit.LogLikelihood;
        metrics["lifetime.pareto_nbd_log_likelihood"] = m.ParetoNbdFit.LogLikelihood;
        metrics["lifetime.bg_nbd_degenerate"] = m.FitProblems.ContainsKey("bg_nbd") ? 1 : 0;
        metrics["lifetime.frequency_monetary_correlation"] = m.FrequencyMonetaryCorrelation;
        metrics["lifetime.actual_holdout_purchases"] = o.Evaluation.ActualHoldoutPurchases;
        metrics["lifetime.predicted_holdout_purchases"] = o.Evaluation.PredictedHoldoutPurchases;
        metrics["lifetime.total_clv"] = o.Values.Sum(v => v.Clv);
        if (o.Evaluation.Revenue12Months is { } bg && o.Summaries.Customers.Count > 0)
        {
            var r = o.AccountLevel?.Revenue12Months ?? bg;
            metrics["lifetime.spearman_12m"] = r.Spearman;
            metrics["lifetime.baseline_spearman_12m"] = r.BaselineSpearman;
            metrics["lifetime.mae_12m"] = r.MeanAbsoluteError;
            metrics["lifetime.baseline_mae_12m"] = r.BaselineMeanAbsoluteError;
            metrics["lifetime.repeat_purchase_spearman_12m"] = bg.Spearman;
        }
    }

    /// <summary>Every file in the folders the writer filled (so per-rep report pages are listed too), relative to the run folder.</summary>
    static IEnumerable<string> FilesUnder(string dir, IReadOnlyList<string> written) =>
        written.Select(f => Path.GetDirectoryName(Path.GetFullPath(f))!).Distinct(StringComparer.Ordinal)
            .SelectMany(d => Directory.GetFiles(d, "*", SearchOption.AllDirectories)).Distinct(StringComparer.Ordinal)
            .Select(f => Rel(dir, f)).Order(StringComparer.Ordinal);

    /// <summary>Finite metrics rounded to 10 decimals as every JSON artifact writes them, so the returned record equals run.json.</summary>
    static Dictionary<string, double> Finite(IDictionary<string, double> metrics) =>
        metrics.Where(kv => double.IsFinite(kv.Value)).ToDictionary(kv => kv.Key, kv => Math.Round(kv.Value, 10), StringComparer.Ordinal);

    static string Rel(string dir, string path) => Path.GetRelativePath(dir, path).Replace('\\', '/');

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool and arrive late).</summary>
    sealed class Progress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }

    /// <summary>Step names, reported on the calling thread.</summary>
    sealed class Steps(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
