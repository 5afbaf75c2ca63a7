namespace Workbench.Analytics.Prioritization;

/// <summary>
/// The account prioritizer's estimator: trains calibrated churn and upsell propensity models on the earlier snapshots
/// of a labeled feature table (the latest months are held out for <see cref="PrioritizerEvaluation"/>) and returns a
/// <see cref="PrioritizerModel"/> that scores, explains and saves as one file.
/// <code>
/// var data = Datasets.Load("sample");
/// var options = PipelineOptions.Default;
/// var features = LabeledFeatures.Build(data, options);
/// var model = AccountPrioritizer.Fit(features, options);
/// var metrics = PrioritizerEvaluation.Evaluate(model, features, data);
/// var book = model.Score(data);
/// </code>
/// </summary>
public static class AccountPrioritizer
{
    /// <summary>Rows of the training months kept in the model for TreeSHAP covers and narrative statistics.</summary>
    public const int MaxBackgroundRows = 20_000;

    /// <summary>Trains with the default options.</summary>
    public static PrioritizerModel Fit(LabeledFeatures features) => Fit(features, PipelineOptions.Default);

    /// <summary>Trains both propensity models on the snapshots before the validation and test months, calibrates them on
    /// the validation months, and learns the mean relative size of an upsell from the training labels.</summary>
    /// <param name="features">Labeled features (see <see cref="LabeledFeatures.Build(Workbench.Domain.CrmDataset, PipelineOptions, LabeledFeatures.RowSelector?, MonthlyPanel?)"/> or <see cref="BuildFeatures"/>).</param>
    /// <param name="options">Pipeline options; the model records the snapshot, label and feature options the features were
    /// actually built with, so scoring rebuilds the same columns.</param>
    public static PrioritizerModel Fit(LabeledFeatures features, PipelineOptions options) => Fit(features, options, scoreTestMonths: false).Model;

    /// <summary><see cref="Fit(LabeledFeatures, PipelineOptions)"/>, and when <paramref name="scoreTestMonths"/>, each model's
    /// calibrated probabilities of the rows <see cref="PrioritizerEvaluation"/> scores (<see cref="ScoredRows"/>) on the
    /// same task right after its fit, so one model scores the test months while the other is still boosting.</summary>
    internal static (PrioritizerModel Model, double[]? PChurn, double[]? PUpsell) Fit(LabeledFeatures features, PipelineOptions options, bool scoreTestMonths)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(options);
        options = options.Resolved() with
        {
            Snapshots = features.SnapshotOptions,
            Labels = features.LabelOptions,
            LabelSource = features.LabelOptions.Source,
            Features = features.FeatureOptions,
        };
        options.Validate();
        var ranking = options.Ranking;
        var table = features.Features;
        var split = SplitOf(features, ranking);
        var trainRows = TrainingSample(RowsIn(table, split.TrainMonths), ranking.MaxTrainingRows, options.Seed);
        var validRows = ValidationSample(RowsIn(table, split.ValidationMonths), table.Snapshots, ranking.MaxValidationRows, options.Seed);

        var train = TrainingSet.ChurnAndUpsell(table, trainRows, features.Labels);
        var valid = TrainingSet.ChurnAndUpsell(table, validRows, features.Labels);
        var scoring = scoreTestMonths ? ScoringSet(features, split) : null;
        var ((churn, pChurn), (upsell, pUpsell)) = RunBoth(
            () => FitAndScore(PropensityTarget.Churn, train.Churn, valid.Churn, ranking.Churn, scoring),
            () => FitAndScore(PropensityTarget.Upsell, train.Upsell, valid.Upsell, ranking.Upsell, scoring));

        // The expected relative size of an upsell, learned from training labels only.
        var upsells = trainRows.Where(r => features.Labels[r].Outcome == Outcome.Upsell && features.Labels[r].RunRate > 0).ToArray();
        double upsellRatio = upsells.Length == 0 ? 0 : upsells.Average(r => features.Labels[r].UpsellAmount / features.Labels[r].RunRate);

        var background = BackgroundSample(trainRows, options.Seed);
        var (churnBackground, upsellBackground) = TrainingSet.ChurnAndUpsell(table, background, features.Labels);
        // The codes the model learned categories by: scoring codes other data's categories with them.
        var categories = CategoryValues.Of(features.Panel);
        return (new PrioritizerModel(churn, upsell, churnBackground, upsellBackground, upsellRatio, options, categories), pChurn, pUpsell);
    }

    static (PropensityModel Model, double[]? Probability) FitAndScore(PropensityTarget target, TrainingSet train, TrainingSet valid, PropensityOptions options, TrainingSet? scoring)
    {
        var model = PropensityTrainer.Train(target.Name(), train, valid, options);
        return (model, scoring is null ? null : Scoring.BatchScorer.Probabilities(model, scoring, "the scored data"));
    }

    /// <summary>The rows the evaluation scores: the test months and the month before them (the books' trends), in row order.</summary>
    internal static int[] ScoredRows(FeatureTable table, TimeSplit split) => RowsIn(table, split.TestMonths.Prepend(split.TestMonths[0] - 1));

    /// <summary>The features of <see cref="ScoredRows"/>, copied once for both models (its labels are not read).</summary>
    internal static TrainingSet ScoringSet(LabeledFeatures features, TimeSplit split) =>
        TrainingSet.ChurnAndUpsell(features.Features, ScoredRows(features.Features, split), features.Labels).Churn;

    /// <summary>Runs two independent computations at once (the first on a pool thread, the second on this one) and returns
    /// both results in a fixed order. Used where the churn and upsell halves share only read-only inputs (each model has
    /// its own MLContext and seed), so the results are those of running them one after the other: for the fits, ML.NET
    /// runs one LightGBM booster at a time, and what overlaps is one model's data loading, validation scoring, calibration
    /// and test-month scoring with the other's boosting. The first's exception wins, as it did when they ran in turn.</summary>
    internal static (T1 First, T2 Second) RunBoth<T1, T2>(Func<T1> first, Func<T2> second)
    {
        var firstTask = Task.Run(first);
        T2 secondResult;
        try { secondResult = second(); }
        catch
        {
            // The first's failure, if any, is the one a sequential run would have reported.
            firstTask.GetAwaiter().GetResult();
            throw;
        }
        return (firstTask.GetAwaiter().GetResult(), secondResult);
    }

    /// <summary>The time split the options give on these features (training, validation and test as-of months).</summary>
    public static TimeSplit SplitOf(LabeledFeatures features, RankingOptions ranking) =>
        SplitOf(features.AsOfMonths, features.SnapshotOptions, ranking);

    static TimeSplit SplitOf(IReadOnlyList<int> asOfMonths, SnapshotOptions snapshots, RankingOptions ranking)
    {
        if (asOfMonths.Count == 0)
            throw new WorkbenchException("No snapshot has a label: the data is too short for the snapshot options (history, horizon and gap), or no account-product had recent spend.");
        return TimeSplit.Make(asOfMonths, snapshots, ranking.TestMonths, ranking.ValidationMonths, ranking.TrainStepMonths);
    }

    /// <summary>Labels and features of only the rows <see cref="Fit(LabeledFeatures, PipelineOptions)"/> and
    /// <see cref="PrioritizerEvaluation.Evaluate"/> read: the seeded training sample (the same rows Fit samples from the
    /// full table), the validation sample (every validation row under <see cref="RankingOptions.MaxValidationRows"/>), the test months and the month before them (the books' trends), which include
    /// the latest month that explanation tells. Model, metrics and explanations are the same as with every row; memory
    /// and feature time shrink with the training cap (at 100,000 accounts about 1.5 M of 5.8 M rows; see docs/scale.md).</summary>
    public static LabeledFeatures BuildFeatures(CrmDataset data, PipelineOptions options, MonthlyPanel? panel = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        var resolved = options.Resolved();
        resolved.Validate();
        return LabeledFeatures.Build(data, options, (snapshots, _, months) =>
        {
            if (months.Count == 0) return [];
            var split = SplitOf(months, options.Snapshots, resolved.Ranking);
            // Each snapshot's month says which list it joins, in one pass over the snapshots (at 100,000 accounts 5.8 M of
            // them; three filtered passes with set lookups before). The lists come out ascending, as the filters gave them.
            // Never a training month: the month before the first test month is at most the last trainable one (validation).
            const byte Train = 1, Validation = 2, Evaluated = 4;
            var kind = new byte[months.Max() + 1];
            void Mark(IEnumerable<int> ms, byte flag) { foreach (int m in ms) if (m >= 0 && m < kind.Length) kind[m] |= flag; }
            Mark(split.TrainMonths, Train);
            Mark(split.ValidationMonths, Validation);
            Mark(split.TestMonths.Append(split.TestMonths[0] - 1), Evaluated);
            var train = new List<int>(); var validation = new List<int>(); var evaluated = new List<int>();
            for (int i = 0; i < snapshots.Count; i++)
            {
                int m = snapshots[i].AsOfMonth;
                byte k = m >= 0 && m < kind.Length ? kind[m] : (byte)0;
                if (k == 0) continue;
                if ((k & Train) != 0) train.Add(i);
                if ((k & Validation) != 0) validation.Add(i);
                if ((k & Evaluated) != 0) evaluated.Add(i);
            }
            var sample = TrainingSample(train.ToArray(), resolved.Ranking.MaxTrainingRows, resolved.Seed);
            var validationSample = ValidationSample(validation.ToArray(), snapshots, resolved.Ranking.MaxValidationRows, resolved.Seed);
            var rows = new int[evaluated.Count + sample.Length + validationSample.Length];
            evaluated.CopyTo(rows);
            sample.CopyTo(rows, evaluated.Count);
            validationSample.CopyTo(rows, evaluated.Count + sample.Length);
            Array.Sort(rows);
            return rows;
        }, panel);
    }

    internal static int[] RowsIn(FeatureTable table, IEnumerable<int> months)
    {
        var set = months.ToHashSet();
        return Enumerable.Range(0, table.RowCount).Where(i => set.Contains(table.Snapshots[i].AsOfMonth)).ToArray();
    }

    /// <summary>The training rows, or a seeded uniform sample of <paramref name="max"/> of them (in row order) when there are
    /// more (0 = no limit).</summary>
    internal static int[] TrainingSample(int[] rows, int max, int seed)
    {
        if (max <= 0 || rows.Length <= max) return rows;
        var sample = (int[])rows.Clone();
        new Random(RunContext.DeriveSeed(seed, "training-sample")).Shuffle(sample);
        sample = sample[..max];
        Array.Sort(sample);
        return sample;
    }

    /// <summary>The validation rows, or the <paramref name="max"/> of them (in row order) with the smallest seeded hash of
    /// their snapshot (account, product, as-of month) when there are more (0 = no limit). The key depends on the snapshot
    /// alone, so the sample is the same whether it is drawn from every snapshot (<see cref="BuildFeatures"/>) or from a
    /// table that holds those rows and others (<see cref="Fit(LabeledFeatures, PipelineOptions)"/> on the table
    /// BuildFeatures built, where the last validation month is complete because the books' trends read it).</summary>
    internal static int[] ValidationSample(int[] rows, IReadOnlyList<Snapshot> snapshots, int max, int seed)
    {
        if (max <= 0 || rows.Length <= max) return rows;
        ulong salt = (ulong)(uint)RunContext.DeriveSeed(seed, "validation-sample");
        // Ties (none expected) fall back to row order, which is the snapshot order in either table.
        var keyed = rows.Select(r => (Key: SnapshotKey(salt, snapshots[r]), Row: r)).ToArray();
        Array.Sort(keyed);
        var sample = keyed[..max].Select(k => k.Row).ToArray();
        Array.Sort(sample);
        return sample;
    }

    /// <summary>SplitMix64 of the snapshot's identity and the salt: a stable pseudo-random key per snapshot.</summary>
    static ulong SnapshotKey(ulong salt, Snapshot s)
    {
        unchecked
        {
            ulong z = salt ^ ((ulong)(uint)s.Account << 32 | (uint)s.Product) * 0x9E3779B97F4A7C15UL ^ (ulong)(uint)s.AsOfMonth * 0xC2B2AE3D27D4EB4FUL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }

    /// <summary>A seeded sample of at most <see cref="MaxBackgroundRows"/> training rows, in row order.</summary>
    static int[] BackgroundSample(int[] trainRows, int seed)
    {
        var rows = (int[])trainRows.Clone();
        if (rows.Length <= MaxBackgroundRows) return rows;
        new Random(RunContext.DeriveSeed(seed, "background-sample")).Shuffle(rows);
        rows = rows[..MaxBackgroundRows];
        Array.Sort(rows);
        return rows;
    }
}
