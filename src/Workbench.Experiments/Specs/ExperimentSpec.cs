using System.Security.Cryptography;
using Workbench.Analytics;
using Workbench.Analytics.Explanation;
using Workbench.Analytics.Features;
using Workbench.Analytics.Labeling;
using Workbench.Analytics.Modeling;
using Workbench.Analytics.Pipeline;
using Workbench.Analytics.Ranking;
using Workbench.Analytics.Segmentation;
using Workbench.Analytics.Territory;
using Workbench.Analytics.Testing;
using Workbench.Data;

namespace Workbench.Experiments.Specs;

/// <summary>Where an experiment's data comes from.</summary>
/// <param name="Path">The dataset folder as written in the spec (relative paths are relative to the spec file's folder),
/// or as written in the dataset catalog for a named source.</param>
/// <param name="FullPath">The resolved full path.</param>
/// <param name="Lenient">Load good rows and keep rejected ones in the run folder instead of stopping.</param>
/// <param name="Source">The catalog name when the spec named its data (<c>"data": {"source": "sample"}</c>); see <see cref="DatasetCatalog"/>.</param>
public sealed record DataSourceSpec(string Path, string FullPath, bool Lenient, string? Source = null);

/// <summary>
/// An experiment: the typed options of every stage (snapshots and labels, features, ranking, explanation,
/// segmentation), the data source, the seed, and the promotion floors. Read one with <see cref="Load"/> (strict:
/// unknown keys, wrong types and out-of-range values are reported with their JSON path and line); every option left
/// out takes its default, and <see cref="ToJson"/> gives the filled spec that a run records.
/// <code>
/// var spec = ExperimentSpec.Load("experiments/sample.json");
/// var record = ExperimentRunner.Run(spec, new RunStore(".workbench"));
/// </code>
/// </summary>
public sealed record ExperimentSpec
{
    /// <summary>The stages a promotion floor may name (the prefix of "stage.metric").</summary>
    public static readonly IReadOnlyList<string> MetricStages = ["churn", "upsell", "explain", "segment", "impact", "territory", "lifetime", "pipeline", "actions"];

    public required string Name { get; init; }
    public int Seed { get; init; } = PipelineOptions.Default.Seed;
    public required DataSourceSpec Data { get; init; }
    public SnapshotOptions Snapshots { get; init; } = PipelineOptions.Default.Snapshots;
    /// <summary>Label thresholds; the source is <see cref="LabelSource"/>.</summary>
    public LabelOptions Labels { get; init; } = PipelineOptions.Default.Labels;
    /// <summary>Where labels come from; null ("auto"): bookings when the data has them, else spend (as the CLI does).</summary>
    public LabelSource? LabelSource { get; init; } = PipelineOptions.Default.LabelSource;
    public FeatureOptions Features { get; init; } = PipelineOptions.Default.Features;
    /// <summary>Ranking options; churn and upsell models share one set of propensity options, seeded by <see cref="Seed"/>.</summary>
    public RankingOptions Ranking { get; init; } = PipelineOptions.Default.Ranking;
    public NarrativeOptions Explanation { get; init; } = PipelineOptions.Default.Explanation;
    public SegmentationStageOptions Segmentation { get; init; } = PipelineOptions.Default.Segmentation;
    /// <summary>The A/B impact readout (the <c>impact</c> section); null: the run does not analyse the rollout.
    /// Its seed defaults to <see cref="Seed"/>.</summary>
    public ImpactOptions? Impact { get; init; }
    /// <summary>The territory plan (the <c>territory</c> section); null: the run plans no territories. Its seed defaults to <see cref="Seed"/>.</summary>
    public TerritoryOptions? Territory { get; init; }
    /// <summary>The territory evaluation's sensitivity sweeps (empty lists when the section sets <c>"sensitivity": false</c>).</summary>
    public TerritoryEvaluationOptions TerritoryEvaluation { get; init; } = new();
    public IReadOnlyDictionary<string, double> PromotionFloors { get; init; } = new Dictionary<string, double>();
    /// <summary>Customer lifetime value (the <c>lifetime</c> section); null: the run values no customers. When present, the
    /// run's model gets a lifetime part and a scored book carries CLV per account. Its seed defaults to <see cref="Seed"/>.</summary>
    public LifetimeSpec? Lifetime { get; init; }

    /// <summary>The opportunity pipeline (the <c>pipeline</c> section); null: the run fits no opportunity models. Its seed defaults to <see cref="Seed"/>.</summary>
    public OpportunityOptions? Opportunities { get; init; }

    /// <summary>Next best action (the <c>actions</c> section); null: the run learns no action policy. When present, the run
    /// records the policy values and saves the policy beside the prioritizer, so a scored book carries the next action.
    /// Its seed defaults to <see cref="Seed"/>.</summary>
    public Workbench.Analytics.Actions.ActionOptions? Actions { get; init; }

    /// <summary>The pipeline options this spec sets (every option it leaves out at its library default).</summary>
    public PipelineOptions Options => new()
    {
        Seed = Seed, Snapshots = Snapshots, Labels = Labels, LabelSource = LabelSource, Features = Features,
        Ranking = Ranking, Explanation = Explanation, Segmentation = Segmentation,
    };

    /// <summary>The label options for a dataset, with "auto" resolved.</summary>
    public LabelOptions LabelsFor(CrmDataset data) => Options.LabelsFor(data);

    /// <summary>Reads and validates a spec file; relative data paths resolve against the file's folder.</summary>
    public static ExperimentSpec Load(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full)) throw new OptionsValidationException($"Spec file not found: {full}");
        return Parse(LocatedJson.ReadFile(full, "spec"), System.IO.Path.GetDirectoryName(full)!, full);
    }

    /// <summary>Parses and validates spec text. Every problem found is listed in one <see cref="OptionsValidationException"/>,
    /// each as "source:line: $.json.path: what is wrong".</summary>
    /// <param name="json">The spec.</param>
    /// <param name="baseDirectory">Folder that relative data paths are relative to.</param>
    /// <param name="source">Name used in messages (the file path).</param>
    /// <param name="checkData">Check that the data folder and its required tables exist.</param>
    public static ExperimentSpec Parse(string json, string baseDirectory, string source = "spec", bool checkData = true)
    {
        var root = LocatedJson.Parse(json, source, "spec");
        if (root.Kind != JsonValueKind.Object) throw new OptionsValidationException($"{source}:{root.Line}: $: expected a JSON object, got {root.Describe()}.");
        var errors = new List<string>();
        var r = new SectionReader(root, "$", source, errors);

        var name = r.String("name", null, required: true);
        if (name is { Length: 0 }) r.Error(r.LineOf("name"), "$.name", "must not be empty.");
        int seed = r.Int("seed", 42);

        DataSourceSpec? data = null;
        var dr = r.Section("data");
        if (dr is null) r.Error(root.Line, "$.data", "missing; it is required: {\"source\": \"<name in datasets.json>\"} or {\"path\": \"<dataset folder>\"}.");
        else
        {
            var path = dr.String("path", null);
            var sourceName = dr.String("source", null);
            bool lenient = dr.Bool("lenient", false);
            dr.Finish();
            if (path is not null && sourceName is not null)
                dr.Error(dr.LineOf("source"), "$.data", "give either \"source\" (a name in datasets.json) or \"path\" (a folder), not both.");
            else if (sourceName is not null)
            {
                if (ResolveSource(sourceName, baseDirectory, dr) is ({ } entry, { } catalogFile))
                {
                    data = new DataSourceSpec(entry.Path, entry.FullPath, lenient, entry.Name);
                    if (checkData) CheckData(entry.FullPath, entry.Path, System.IO.Path.GetDirectoryName(catalogFile)!, dr, dr.LineOf("source"), "$.data.source");
                }
            }
            else if (path is { Length: > 0 })
            {
                var full = System.IO.Path.GetFullPath(System.IO.Path.Combine(baseDirectory, path));
                data = new DataSourceSpec(path, full, lenient);
                if (checkData) CheckData(full, path, baseDirectory, dr, dr.LineOf("path"), "$.data.path");
            }
            else if (path is not null) dr.Error(dr.LineOf("path"), "$.data.path", "must not be empty.");
            else dr.Error(dr.LineOf("source"), "$.data", "needs \"source\" (a name in datasets.json) or \"path\" (a dataset folder).");
        }

        var snapshots = new SnapshotOptions();
        if (r.Section("snapshots") is { } sr)
        {
            snapshots = new SnapshotOptions
            {
                HorizonMonths = sr.Int("horizon_months", snapshots.HorizonMonths),
                GapMonths = sr.Int("gap_months", snapshots.GapMonths),
                MinHistoryMonths = sr.Int("min_history_months", snapshots.MinHistoryMonths),
                StepMonths = sr.Int("step_months", snapshots.StepMonths),
                Eligibility = sr.Enum("eligibility", snapshots.Eligibility),
            };
            sr.Finish();
            CheckOptions(sr, snapshots.Validate);
        }

        var labels = new LabelOptions();
        LabelSource? source_ = null;
        if (r.Section("labels") is { } lr)
        {
            source_ = lr.OptionalEnum<LabelSource>("source", "auto");
            labels = new LabelOptions
            {
                UpsellThreshold = lr.Double("upsell_threshold", labels.UpsellThreshold),
                ChurnThreshold = lr.Double("churn_threshold", labels.ChurnThreshold),
                RunRateMonths = lr.Int("run_rate_months", labels.RunRateMonths),
                DowngradeIsChurn = lr.Bool("downgrade_is_churn", labels.DowngradeIsChurn),
            };
            lr.Finish();
            CheckOptions(lr, labels.Validate);
        }

        var features = new FeatureOptions();
        if (r.Section("features") is { } fr)
        {
            features = new FeatureOptions
            {
                Missing = fr.Enum("missing", features.Missing),
                SpendScale = fr.Enum("spend_scale", features.SpendScale),
                WinsorizeQuantile = fr.NullableDouble("winsorize_quantile", features.WinsorizeQuantile),
            };
            fr.Finish();
            CheckOptions(fr, features.Validate);
        }

        var ranking = PipelineOptions.Default.Ranking;
        var model = new PropensityOptions();
        var priority = new PriorityOptions();
        if (r.Section("ranking") is { } rr)
        {
            model = new PropensityOptions
            {
                Algorithm = rr.Enum("algorithm", model.Algorithm),
                NumberOfTrees = rr.Int("trees", model.NumberOfTrees),
                NumberOfLeaves = rr.Int("leaves", model.NumberOfLeaves),
                LearningRate = rr.Double("learning_rate", model.LearningRate),
                MinExamplesPerLeaf = rr.Int("min_examples_per_leaf", model.MinExamplesPerLeaf),
                EarlyStoppingRounds = rr.Int("early_stopping_rounds", model.EarlyStoppingRounds),
                Calibration = rr.Enum("calibration", model.Calibration),
                Threads = rr.Int("threads", model.Threads),
                StoppingMetric = rr.Enum("early_stopping_metric", model.StoppingMetric),
                MaxBinCount = rr.Int("max_bins", model.MaxBinCount),
                SubsampleFraction = rr.Double("subsample", model.SubsampleFraction),
                SubsampleFrequency = rr.Int("subsample_frequency", model.SubsampleFrequency),
            };
            priority = new PriorityOptions
            {
                GradeCutoffs = rr.Doubles("grade_cutoffs", priority.GradeCutoffs),
                RevenueAtRiskMonths = rr.Int("revenue_at_risk_months", priority.RevenueAtRiskMonths),
                TrendTolerance = rr.Double("trend_tolerance", priority.TrendTolerance),
            };
            ranking = ranking with
            {
                TestMonths = rr.Int("test_months", ranking.TestMonths),
                ValidationMonths = rr.Int("validation_months", ranking.ValidationMonths),
                TrainStepMonths = rr.Int("train_step_months", ranking.TrainStepMonths),
                MaxTrainingRows = rr.Int("max_training_rows", ranking.MaxTrainingRows),
                MaxValidationRows = rr.Int("max_validation_rows", ranking.MaxValidationRows),
                K = rr.Int("k", ranking.K),
            };
            rr.Finish();
            CheckOptions(rr, model.Validate, new()
            {
                ["NumberOfTrees"] = "trees", ["NumberOfLeaves"] = "leaves", ["MaxBinCount"] = "max_bins", ["SubsampleFraction"] = "subsample",
            });
            CheckOptions(rr, priority.Validate);
            CheckRange(rr, "test_months", ranking.TestMonths, 1, 24);
            CheckRange(rr, "validation_months", ranking.ValidationMonths, 1, 24);
            CheckRange(rr, "train_step_months", ranking.TrainStepMonths, 1, 24);
            CheckRange(rr, "max_training_rows", ranking.MaxTrainingRows, 0, int.MaxValue);
            CheckRange(rr, "max_validation_rows", ranking.MaxValidationRows, 0, int.MaxValue);
            CheckRange(rr, "k", ranking.K, 1, 1000);
        }
        model = model with { Seed = seed };
        ranking = ranking with { Churn = model, Upsell = model, Priority = priority, Seed = seed };

        var explanation = new NarrativeOptions();
        if (r.Section("explanation") is { } er)
        {
            explanation = new NarrativeOptions
            {
                TopReasonsFor = er.Int("reasons_for", explanation.TopReasonsFor),
                TopReasonsAgainst = er.Int("reasons_against", explanation.TopReasonsAgainst),
                MinShare = er.Double("min_share", explanation.MinShare),
            };
            er.Finish();
            CheckRange(er, "reasons_for", explanation.TopReasonsFor, 0, 20);
            CheckRange(er, "reasons_against", explanation.TopReasonsAgainst, 0, 20);
            CheckOptions(er, explanation.Validate);
        }

        var segmentation = PipelineOptions.Default.Segmentation;
        if (r.Section("segmentation") is { } gr)
        {
            var asOfText = gr.String("as_of", null);
            DateOnly? asOf = null;
            if (asOfText is not null)
            {
                if (DateOnly.TryParseExact(asOfText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) asOf = d;
                else gr.Error(gr.LineOf("as_of"), "$.segmentation.as_of", $"\"{asOfText}\" is not a date in the form yyyy-MM-dd.");
            }
            segmentation = new SegmentationStageOptions
            {
                Method = gr.Enum("method", segmentation.Method, new Dictionary<string, SegmentationMethod> { ["kmeans"] = SegmentationMethod.KMeans, ["gmm"] = SegmentationMethod.GaussianMixture }),
                K = gr.NullableInt("k", null),
                KMin = gr.Int("k_min", segmentation.KMin),
                KMax = gr.Int("k_max", segmentation.KMax),
                Seed = gr.NullableInt("seed", null),
                AsOf = asOf,
            };
            gr.Finish();
            if (segmentation.K is int k) CheckRange(gr, "k", k, 1, 1000);
            CheckRange(gr, "k_min", segmentation.KMin, 2, 100);
            CheckRange(gr, "k_max", segmentation.KMax, segmentation.KMin, 100);
        }

        ImpactOptions? impact = null;
        if (r.Section("impact", nullable: true) is { } ir)
        {
            var d = new ImpactOptions();
            impact = new ImpactOptions
            {
                Metric = ir.Enum("metric", d.Metric),
                Unit = ir.Enum("unit", d.Unit),
                Alpha = ir.Double("alpha", d.Alpha),
                BootstrapResamples = ir.Int("bootstrap", d.BootstrapResamples),
                TargetLift = ir.Double("target_lift", d.TargetLift),
                TargetPower = ir.Double("target_power", d.TargetPower),
                ExpectedTreatmentShare = ir.Double("expected_treatment_share", d.ExpectedTreatmentShare),
                RolloutStart = Date(ir, "rollout_start"),
                Seed = ir.Int("seed", seed),
            };
            ir.Finish();
            CheckProblems(ir, impact.Validate, new() { ["BootstrapResamples"] = "bootstrap" });
        }

        TerritoryOptions? territory = null;
        var territoryEvaluation = new TerritoryEvaluationOptions();
        if (r.Section("territory", nullable: true) is { } tr)
        {
            var d = new TerritoryOptions();
            var a = d.Assignment;
            territory = new TerritoryOptions
            {
                PlanningDate = Date(tr, "planning_date"),
                Groups = tr.Int("groups", d.Groups),
                PcaComponents = tr.NullableInt("pca_components", d.PcaComponents),
                HistoryMonths = tr.NullableInt("history_months", d.HistoryMonths),
                IntervalLevel = tr.Double("interval_level", d.IntervalLevel),
                Seed = tr.Int("seed", seed),
                Assignment = new AssignmentOptions
                {
                    CapacityTolerance = tr.Double("capacity_tolerance", a.CapacityTolerance),
                    MaxMoves = tr.NullableInt("max_moves", a.MaxMoves),
                    Objective = tr.Enum("objective", a.Objective),
                    Regions = tr.Enum("regions", a.Regions, new Dictionary<string, RegionPolicy> { ["same"] = RegionPolicy.SameRegion, ["any"] = RegionPolicy.AnyRegion }),
                    Capacity = tr.Enum("capacity", a.Capacity),
                    SolverTimeLimitSeconds = tr.Double("solver_time_limit_seconds", a.SolverTimeLimitSeconds),
                },
            };
            if (!tr.Bool("sensitivity", true)) territoryEvaluation = new TerritoryEvaluationOptions { Tolerances = [], MoveShares = [] };
            tr.Finish();
            CheckProblems(tr, territory.Validate);
        }

        LifetimeSpec? lifetime = null;
        if (r.Section("lifetime") is { } lt)
        {
            var d = new Workbench.Analytics.Lifetime.LifetimeOptions();
            var options = new Workbench.Analytics.Lifetime.LifetimeOptions
            {
                HorizonMonths = lt.Int("horizon_months", d.HorizonMonths),
                AnnualDiscountRate = lt.Double("discount_rate", d.AnnualDiscountRate),
                Margin = lt.Double("margin", d.Margin),
                Model = lt.Enum("model", d.Model, LifetimeSpec.Models),
                IntervalDraws = lt.Int("interval_draws", d.IntervalDraws),
                IntervalLevel = lt.Double("interval_level", d.IntervalLevel),
                Seed = lt.Int("seed", seed),
            };
            var unit = lt.OptionalEnum<Workbench.Analytics.Lifetime.LifetimeTimeUnit>("time_unit", "auto");
            var calibrationEnd = Date(lt, "calibration_end");
            lt.Finish();
            CheckProblems(lt, options.Validate, new() { ["AnnualDiscountRate"] = "discount_rate" });
            lifetime = new LifetimeSpec(options, unit, calibrationEnd);
        }

        OpportunityOptions? opportunities = null;
        if (r.Section("pipeline") is { } pr)
        {
            var d = new OpportunityOptions();
            var read = new OpportunityOptions
            {
                TestMonths = pr.Int("test_months", d.TestMonths),
                ValidationShare = pr.Double("validation_share", d.ValidationShare),
                Win = d.Win with
                {
                    NumberOfTrees = pr.Int("trees", d.Win.NumberOfTrees), NumberOfLeaves = pr.Int("leaves", d.Win.NumberOfLeaves),
                    MinExamplesPerLeaf = pr.Int("min_examples_per_leaf", d.Win.MinExamplesPerLeaf), LearningRate = pr.Double("learning_rate", d.Win.LearningRate),
                    Calibration = pr.Enum("calibration", d.Win.Calibration),
                },
                StageModel = TreeKnobs(pr, d.StageModel, "stage_"),
                StageLabels = pr.Enum("stage_labels", d.StageLabels),
                PriorStrength = pr.Double("prior_strength", d.PriorStrength),
                StageWeights = pr.Doubles("stage_weights", d.StageWeights),
                StuckFactor = pr.Double("stuck_factor", d.StuckFactor),
                StuckMinDays = pr.Int("stuck_min_days", d.StuckMinDays),
                Reasons = pr.Int("reasons", d.Reasons),
                Seed = pr.Int("seed", seed),
            };
            pr.Finish();
            opportunities = read;
            CheckProblems(pr, () => read.Validate(), new() { ["NumberOfTrees"] = "trees", ["NumberOfLeaves"] = "leaves", ["StageModel.Trees"] = "stage_trees",
                ["StageModel.Leaves"] = "stage_leaves", ["StageModel.MinExamplesPerLeaf"] = "stage_min_examples_per_leaf", ["StageModel.LearningRate"] = "stage_learning_rate" });
        }

        Workbench.Analytics.Actions.ActionOptions? actions = null;
        if (r.Section("actions") is { } ar)
        {
            var d = new Workbench.Analytics.Actions.ActionOptions();
            var read = new Workbench.Analytics.Actions.ActionOptions
            {
                ValueModel = TreeKnobs(ar, d.ValueModel, minLeafKey: "min_leaf_count"), Exploration = ar.Double("exploration", d.Exploration),
                BootstrapSamples = ar.Int("bootstrap_samples", d.BootstrapSamples), CrossFitFolds = ar.Int("cross_fit_folds", d.CrossFitFolds),
                MaxWeight = ar.Double("max_weight", d.MaxWeight), Seed = ar.Int("seed", seed),
            };
            ar.Finish();
            actions = read;
            CheckProblems(ar, read.Validate, new() { ["ValueModel.Trees"] = "trees", ["ValueModel.Leaves"] = "leaves",
                ["ValueModel.MinExamplesPerLeaf"] = "min_leaf_count", ["ValueModel.LearningRate"] = "learning_rate" });
        }

        var floors = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (metric, line, value) in r.NumberMap("promotion_floors"))
        {
            int dot = metric.IndexOf('.');
            var stage = dot > 0 ? metric[..dot] : "";
            if (dot <= 0 || dot == metric.Length - 1)
                r.Error(line, $"$.promotion_floors.{metric}", "a metric is named \"stage.metric\", for example \"churn.auc\".");
            else if (!MetricStages.Contains(stage))
            {
                var near = LocatedJson.Closest(stage, MetricStages);
                r.Error(line, $"$.promotion_floors.{metric}", $"unknown stage '{stage}'; expected one of {string.Join(", ", MetricStages)}" +
                    (near.Count > 0 ? $" (did you mean '{near[0]}.{metric[(dot + 1)..]}'?)" : "") + ".");
            }
            else floors[metric] = value;
        }
        r.Finish();

        if (errors.Count > 0)
            throw new OptionsValidationException(errors.Count == 1 ? errors[0] : $"{errors.Count} problems in the spec:\n  " + string.Join("\n  ", errors));
        return new ExperimentSpec
        {
            Name = name!, Seed = seed, Data = data!, Snapshots = snapshots, Labels = labels, LabelSource = source_, Features = features,
            Ranking = ranking, Explanation = explanation, Segmentation = segmentation, PromotionFloors = floors,
            Impact = impact, Territory = territory, TerritoryEvaluation = territoryEvaluation,
            Lifetime = lifetime,
            Opportunities = opportunities,
            Actions = actions,
        };
    }

    /// <summary>The tables the pipeline cannot run without.</summary>
    public static readonly IReadOnlyList<string> RequiredTables = [CrmSchema.Accounts, CrmSchema.Products, CrmSchema.Spend, CrmSchema.Book];

    /// <summary>Looks a named source up in the nearest dataset catalog; an unknown name lists the known ones.</summary>
    static (DatasetEntry? Entry, string? CatalogFile) ResolveSource(string name, string baseDirectory, SectionReader dr)
    {
        DatasetCatalog? catalog;
        try { catalog = DatasetCatalog.Find(baseDirectory); }
        catch (OptionsValidationException ex) { dr.Error(dr.LineOf("source"), "$.data.source", ex.Message); return default; }
        if (catalog is null)
        {
            dr.Error(dr.LineOf("source"), "$.data.source", $"'{name}': no {DatasetCatalog.FileName} in {baseDirectory} or its parents to look the name up in.");
            return default;
        }
        if (catalog.Entries.TryGetValue(name, out var entry)) return (entry, catalog.File);
        var near = LocatedJson.Closest(name, catalog.Entries.Keys.ToList());
        dr.Error(dr.LineOf("source"), "$.data.source", $"'{name}' is not in {catalog.File}" +
            (near.Count > 0 ? $" (did you mean '{near[0]}'?)" : "") + $"; it names: {string.Join(", ", catalog.Entries.Keys.Order(StringComparer.Ordinal))}.");
        return default;
    }

    static void CheckData(string full, string given, string baseDirectory, SectionReader dr, int line, string keyPath)
    {
        if (!Directory.Exists(full))
        {
            dr.Error(line, keyPath, $"dataset folder not found: {full} ('{given}' resolved against {baseDirectory}).");
            return;
        }
        var catalog = new CrmCatalog(full);
        var format = catalog.DetectFormat() ?? DataFormat.Csv;
        var found = catalog.FindTables(format);
        var missing = RequiredTables.Where(t => !found.Contains(t)).ToList();
        if (missing.Count > 0)
            dr.Error(line, keyPath, $"the dataset folder {full} lacks the required table(s) " +
                string.Join(", ", missing.Select(t => t + CrmCatalog.Extension(format))) + ".");
    }

    /// <summary>A section's flat tree keys (<c>{prefix}trees</c>, <c>{prefix}leaves</c>, <c>{prefix}min_examples_per_leaf</c> or
    /// <paramref name="minLeafKey"/>, <c>{prefix}learning_rate</c>) bound onto a <see cref="TreeOptions"/>; absent keys keep
    /// <paramref name="defaults"/>. The spec stays flat so specs written before the options were one record still read.</summary>
    static TreeOptions TreeKnobs(SectionReader s, TreeOptions defaults, string prefix = "", string? minLeafKey = null) => new(
        Trees: s.Int(prefix + "trees", defaults.Trees),
        Leaves: s.Int(prefix + "leaves", defaults.Leaves),
        MinExamplesPerLeaf: s.Int(minLeafKey ?? prefix + "min_examples_per_leaf", defaults.MinExamplesPerLeaf),
        LearningRate: s.Double(prefix + "learning_rate", defaults.LearningRate));

    /// <summary>An optional date "yyyy-MM-dd" (null when absent or null).</summary>
    static DateOnly? Date(SectionReader s, string key)
    {
        var text = s.String(key, null);
        if (text is null) return null;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) return d;
        s.Error(s.LineOf(key), $"{s.Path}.{key}", $"\"{text}\" is not a date in the form yyyy-MM-dd.");
        return null;
    }

    /// <summary>Runs a validation whose message lists several problems ("Invalid X options: ...") and reports it at the
    /// key of the first property it names, else at the section. A property is found under the key the section read whose
    /// PascalCase form is its name (<c>horizon_months</c> for HorizonMonths), so a new section needs no table; only a key
    /// named otherwise is listed in <paramref name="renamed"/> (property name to spec key, e.g. NumberOfTrees to trees).</summary>
    static void CheckProblems(SectionReader s, Action validate, Dictionary<string, string>? renamed = null)
    {
        var keys = s.KeysRead.ToDictionary(PascalCase, k => k, StringComparer.Ordinal);
        foreach (var (property, key) in renamed ?? []) keys[property] = key;
        try { validate(); }
        catch (OptionsValidationException ex)
        {
            var message = ex.Message;
            int colon = message.IndexOf(':');
            if (message.StartsWith("Invalid ", StringComparison.Ordinal) && colon > 0) message = message[(colon + 1)..];
            message = string.Join(" ", message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            var named = keys.Select(kv => (kv.Value, At: System.Text.RegularExpressions.Regex.Match(message, $@"\b{kv.Key}\b")))
                .Where(x => x.At.Success).OrderBy(x => x.At.Index).Select(x => x.Value).FirstOrDefault();
            if (named is not null) s.Error(s.LineOf(named), $"{s.Path}.{named}", message);
            else s.Error(s.LineOf(""), s.Path, message);
        }
    }

    static string PascalCase(string snake) =>
        string.Concat(snake.Split('_', StringSplitOptions.RemoveEmptyEntries).Select(w => char.ToUpperInvariant(w[0]) + w[1..]));

    static void CheckRange(SectionReader s, string key, int value, int min, int max)
    {
        if (value < min || value > max) s.Error(s.LineOf(key), $"{s.Path}.{key}", $"must be {min}..{max}, got {value}.");
    }

    /// <summary>Runs an option record's own validation and reports its message at the key it names
    /// (the property name in snake case, or <paramref name="keys"/> where the spec uses a shorter name).</summary>
    static void CheckOptions(SectionReader s, Action validate, Dictionary<string, string>? keys = null)
    {
        try { validate(); }
        catch (OptionsValidationException ex)
        {
            var property = new string(ex.Message.TakeWhile(char.IsLetterOrDigit).ToArray());
            var key = keys?.GetValueOrDefault(property) ?? JsonNamingPolicy.SnakeCaseLower.ConvertName(property);
            s.Error(s.LineOf(key), $"{s.Path}.{key}", ex.Message);
        }
    }

    /// <summary>The filled spec as JSON (every option with its value), in a fixed key order.</summary>
    public JsonObject ToJsonObject()
    {
        var model = Ranking.Churn;
        var o = new JsonObject
        {
            ["name"] = Name,
            ["seed"] = Seed,
            ["data"] = Data.Source is { } named
                ? new JsonObject { ["source"] = named, ["lenient"] = Data.Lenient } // the resolved folder is in the run's data fingerprint
                : new JsonObject { ["path"] = Data.Path, ["lenient"] = Data.Lenient },
            ["snapshots"] = new JsonObject
            {
                ["horizon_months"] = Snapshots.HorizonMonths, ["gap_months"] = Snapshots.GapMonths, ["min_history_months"] = Snapshots.MinHistoryMonths,
                ["step_months"] = Snapshots.StepMonths, ["eligibility"] = SpecText.EnumName(Snapshots.Eligibility),
            },
            ["labels"] = new JsonObject
            {
                ["source"] = LabelSource is { } s ? SpecText.EnumName(s) : "auto",
                ["upsell_threshold"] = Labels.UpsellThreshold, ["churn_threshold"] = Labels.ChurnThreshold,
                ["run_rate_months"] = Labels.RunRateMonths, ["downgrade_is_churn"] = Labels.DowngradeIsChurn,
            },
            ["features"] = new JsonObject
            {
                ["missing"] = SpecText.EnumName(Features.Missing), ["spend_scale"] = SpecText.EnumName(Features.SpendScale),
                ["winsorize_quantile"] = Features.WinsorizeQuantile,
            },
            ["ranking"] = new JsonObject
            {
                ["algorithm"] = SpecText.EnumName(model.Algorithm), ["trees"] = model.NumberOfTrees, ["leaves"] = model.NumberOfLeaves,
                ["learning_rate"] = model.LearningRate, ["min_examples_per_leaf"] = model.MinExamplesPerLeaf,
                ["early_stopping_rounds"] = model.EarlyStoppingRounds, ["calibration"] = SpecText.EnumName(model.Calibration), ["threads"] = model.Threads,
                ["test_months"] = Ranking.TestMonths, ["validation_months"] = Ranking.ValidationMonths, ["k"] = Ranking.K,
                ["grade_cutoffs"] = new JsonArray(Ranking.Priority.GradeCutoffs.Select(c => (JsonNode?)JsonValue.Create(c)).ToArray()),
                ["revenue_at_risk_months"] = Ranking.Priority.RevenueAtRiskMonths, ["trend_tolerance"] = Ranking.Priority.TrendTolerance,
            },
            ["explanation"] = new JsonObject
            {
                ["reasons_for"] = Explanation.TopReasonsFor, ["reasons_against"] = Explanation.TopReasonsAgainst, ["min_share"] = Explanation.MinShare,
            },
            ["segmentation"] = new JsonObject
            {
                ["method"] = SpecText.EnumName(Segmentation.Method), ["k"] = Segmentation.K, ["k_min"] = Segmentation.KMin, ["k_max"] = Segmentation.KMax,
                ["seed"] = Segmentation.Seed, ["as_of"] = Segmentation.AsOf?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            },
        };
        // The training step appears only when it thins (not 1), so monthly specs keep the hash they had before it existed.
        if (Ranking.TrainStepMonths != 1) o["ranking"]!["train_step_months"] = Ranking.TrainStepMonths;
        // Likewise the training-row cap and the early-stopping metric appear only when they differ from the defaults they had
        // (400,000 rows, log-loss), so specs written before they existed keep their hashes.
        if (Ranking.MaxTrainingRows != new RankingOptions().MaxTrainingRows) o["ranking"]!["max_training_rows"] = Ranking.MaxTrainingRows;
        if (Ranking.MaxValidationRows != new RankingOptions().MaxValidationRows) o["ranking"]!["max_validation_rows"] = Ranking.MaxValidationRows;
        if (model.StoppingMetric != StoppingMetric.LogLoss) o["ranking"]!["early_stopping_metric"] = SpecText.EnumName(model.StoppingMetric);
        // LightGBM's bins and bagging likewise appear only when they differ from LightGBM's defaults (255 bins, no bagging).
        var defaults = new PropensityOptions();
        if (model.MaxBinCount != defaults.MaxBinCount) o["ranking"]!["max_bins"] = model.MaxBinCount;
        if (model.SubsampleFraction != defaults.SubsampleFraction || model.SubsampleFrequency != defaults.SubsampleFrequency)
        {
            o["ranking"]!["subsample"] = model.SubsampleFraction;
            o["ranking"]!["subsample_frequency"] = model.SubsampleFrequency;
        }
        // Optional sections appear only when present, so a spec without them keeps the hash it had before they existed.
        if (Impact is { } i)
            o["impact"] = new JsonObject
            {
                ["metric"] = ExperimentNames.Name(i.Metric), ["unit"] = ExperimentNames.Name(i.Unit), ["alpha"] = i.Alpha,
                ["bootstrap"] = i.BootstrapResamples, ["seed"] = i.Seed, ["target_lift"] = i.TargetLift, ["target_power"] = i.TargetPower,
                ["expected_treatment_share"] = i.ExpectedTreatmentShare, ["rollout_start"] = i.RolloutStart?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            };
        if (Territory is { } t)
            o["territory"] = new JsonObject
            {
                ["planning_date"] = t.PlanningDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), ["groups"] = t.Groups,
                ["pca_components"] = t.PcaComponents, ["history_months"] = t.HistoryMonths, ["interval_level"] = t.IntervalLevel, ["seed"] = t.Seed,
                ["capacity_tolerance"] = t.Assignment.CapacityTolerance, ["max_moves"] = t.Assignment.MaxMoves,
                ["objective"] = SpecText.EnumName(t.Assignment.Objective), ["regions"] = t.Assignment.Regions == RegionPolicy.SameRegion ? "same" : "any",
                ["capacity"] = SpecText.EnumName(t.Assignment.Capacity), ["solver_time_limit_seconds"] = t.Assignment.SolverTimeLimitSeconds,
                ["sensitivity"] = TerritoryEvaluation.Tolerances.Count + TerritoryEvaluation.MoveShares.Count > 0,
            };
        if (Lifetime is { } lv)
            o["lifetime"] = new JsonObject
            {
                ["horizon_months"] = lv.Options.HorizonMonths, ["discount_rate"] = lv.Options.AnnualDiscountRate, ["margin"] = lv.Options.Margin,
                ["model"] = LifetimeSpec.Models.First(kv => kv.Value == lv.Options.Model).Key,
                ["interval_draws"] = lv.Options.IntervalDraws, ["interval_level"] = lv.Options.IntervalLevel, ["seed"] = lv.Options.Seed,
                ["time_unit"] = lv.TimeUnit is { } u ? u.ToString().ToLowerInvariant() : "auto",
                ["calibration_end"] = lv.CalibrationEnd?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            };
        if (Opportunities is { } op)
            o["pipeline"] = new JsonObject
            {
                ["test_months"] = op.TestMonths, ["validation_share"] = op.ValidationShare, ["trees"] = op.Win.NumberOfTrees, ["leaves"] = op.Win.NumberOfLeaves,
                ["min_examples_per_leaf"] = op.Win.MinExamplesPerLeaf, ["learning_rate"] = op.Win.LearningRate, ["calibration"] = SpecText.EnumName(op.Win.Calibration),
                ["stage_trees"] = op.StageModel.Trees, ["stage_leaves"] = op.StageModel.Leaves, ["stage_min_examples_per_leaf"] = op.StageModel.MinExamplesPerLeaf,
                ["stage_learning_rate"] = op.StageModel.LearningRate, ["stage_labels"] = SpecText.EnumName(op.StageLabels), ["prior_strength"] = op.PriorStrength,
                ["stage_weights"] = new JsonArray(op.StageWeights.Select(w => (JsonNode?)JsonValue.Create(w)).ToArray()),
                ["stuck_factor"] = op.StuckFactor, ["stuck_min_days"] = op.StuckMinDays, ["reasons"] = op.Reasons, ["seed"] = op.Seed,
            };
        if (Actions is { } ac)
            o["actions"] = new JsonObject
            {
                ["trees"] = ac.ValueModel.Trees, ["leaves"] = ac.ValueModel.Leaves, ["min_leaf_count"] = ac.ValueModel.MinExamplesPerLeaf,
                ["learning_rate"] = ac.ValueModel.LearningRate,
                ["exploration"] = ac.Exploration, ["bootstrap_samples"] = ac.BootstrapSamples, ["cross_fit_folds"] = ac.CrossFitFolds,
                ["max_weight"] = ac.MaxWeight, ["seed"] = ac.Seed,
            };
        o["promotion_floors"] = new JsonObject(PromotionFloors.OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value))));
        return o;
    }

    /// <summary>The filled spec, indented (what <c>spec</c> in run.json holds).</summary>
    public string ToJson() => ToJsonObject().ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";

    /// <summary>Canonical JSON: keys sorted ordinally at every level, no whitespace. Equal specs give equal text.</summary>
    public string CanonicalJson() => Canonical(ToJsonObject())!.ToJsonString();

    /// <summary>Hex SHA-256 of <see cref="CanonicalJson"/>.</summary>
    public string Hash() => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(CanonicalJson())));

    static JsonNode? Canonical(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => KeyValuePair.Create(kv.Key, Canonical(kv.Value)))),
        JsonArray a => new JsonArray(a.Select(Canonical).ToArray()),
        _ => node?.DeepClone(),
    };
}

/// <summary>The <c>lifetime</c> section of a spec: the CLV options, the time unit (null: weeks for transactions, months for
/// monthly spend) and the calibration end (null: 12 months before the end of generated data, else the end of the data).</summary>
public sealed record LifetimeSpec(Workbench.Analytics.Lifetime.LifetimeOptions Options, Workbench.Analytics.Lifetime.LifetimeTimeUnit? TimeUnit, DateOnly? CalibrationEnd)
{
    public static readonly IReadOnlyDictionary<string, Workbench.Analytics.Lifetime.RepeatPurchaseModel> Models =
        new Dictionary<string, Workbench.Analytics.Lifetime.RepeatPurchaseModel>
        {
            ["auto"] = Workbench.Analytics.Lifetime.RepeatPurchaseModel.Auto, ["bg_nbd"] = Workbench.Analytics.Lifetime.RepeatPurchaseModel.BgNbd,
            ["pareto_nbd"] = Workbench.Analytics.Lifetime.RepeatPurchaseModel.ParetoNbd,
        };
}
