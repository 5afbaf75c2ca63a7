using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Transforms;
using Workbench.Analytics.Actions;
using Workbench.Analytics.Modeling;
using Workbench.Data.Generation;
using Xunit.Abstractions;

namespace Workbench.Tests.Actions;

/// <summary>Screens reward-model learners for the learned policy (issue #15, round 5; docs/actions.md has the table):
/// each learner is a response model times a model of the scaled reward given a response (as in RewardModel), judged
/// by the planted truth in three settings: cross-fitted by account on the seed-7 fixture (the folds of
/// ActionEvaluation, what the 90% test asserts), fitted on seed 7 and judged on seed 8, and the reverse. Two
/// diagnostic learners use the planted response rate or the planted value given a response in place of one part, to
/// show which part loses value. <see cref="Cross_validation_on_the_log_prefers_a_stronger_penalty_than_the_shipped_one"/>
/// shows how a user picks the penalties without truth. Round 7 adds threshold-shaped response models, a value model of
/// the long-term / immediate ratio, and the choice among learners by cross-validated policy value (docs/actions.md). Slow: run with WORKBENCH_SLOW_TESTS=1; LAB=all (or a
/// comma-separated list of names) picks learners, LAB_ACCOUNTS the book size, LAB_DIAG=1 prints where the value is
/// lost.</summary>
public sealed class ActionLearnerScreenTests(ITestOutputHelper output)
{
    static readonly Dictionary<(int, int), DecisionFrame> Frames = new();
    static DecisionFrame FrameOf(int seed, int accounts)
    {
        lock (Frames)
        {
            if (!Frames.TryGetValue((seed, accounts), out var f))
            {
                var data = CrmGenerator.Generate(new GeneratorOptions { Accounts = accounts, Months = 36, Seed = seed });
                // LAB_SEGMENTS=run: the run's segmentation as the observed segment (round 14's frames; default segment 0).
                Frames[(seed, accounts)] = f = Environment.GetEnvironmentVariable("LAB_SEGMENTS") == "run"
                    ? DecisionFrame.Build(data, ActionFixture.RunSegmentation(data, seed)) : DecisionFrame.Build(data);
            }
            return f;
        }
    }

    delegate double[] ResponseLearner(DecisionFrame f, int[] rows, int action, float[] test, int n);
    delegate double[] ValueLearner(DecisionFrame f, int[] rows, int action, float[] test, int n);

    static int W => DecisionFrame.Width;
    static readonly int[] U = [0, 1, 2], UE = [0, 1, 2, 4, 5];
    static double Scale(ReadOnlySpan<float> c) => Math.Max(1.0, c[DecisionFrame.AnnualValueColumn]);
    static double Scaled(DecisionFrame f, int row) => Math.Clamp(f.Decisions[row].Reward / Scale(f.Context(row)), -2, 2);

    /// <summary>Context columns the learner being screened does not see (set to 0 in its rows; the scale still reads the annual value).</summary>
    static int[] DropCols = [];
    static float[] Rows(DecisionFrame f, int[] rows)
    {
        var x = new float[rows.Length * W];
        for (int j = 0; j < rows.Length; j++) { f.Context(rows[j]).CopyTo(x.AsSpan(j * W, W)); foreach (int c in DropCols) if (c != DecisionFrame.SegmentColumn) x[j * W + c] = 0; }
        if (RiskIndex is { } idx) { var r = idx(x, rows.Length); for (int j = 0; j < rows.Length; j++) x[j * W + DecisionFrame.AnnualValueColumn] = r[j]; }
        return x;
    }
    /// <summary>When set, replaces the annual-value column of the learner's rows with an index learned from the logging
    /// policy: the logit of "the rep offered a discount" fitted on every training decision (dense, unlike responses).</summary>
    static Func<float[], int, float[]>? RiskIndex;
    static Func<float[], int, float[]> FitRiskIndex(DecisionFrame f, int[] rows, float l2, int logged)
    {
        var x = new float[rows.Length * W];
        for (int j = 0; j < rows.Length; j++) { f.Context(rows[j]).CopyTo(x.AsSpan(j * W, W)); x[j * W + DecisionFrame.AnnualValueColumn] = 0; }
        var e = Expansion.Fit(x, rows.Length, false, 0, false, false);
        var ml = new MLContext(1);
        var model = ml.Transforms.ReplaceMissingValues("Features", replacementMode: MissingValueReplacingEstimator.ReplacementMode.Mean)
            .Append(ml.Transforms.NormalizeMeanVariance("Features"))
            .Append(ml.BinaryClassification.Trainers.LbfgsLogisticRegression(new LbfgsLogisticRegressionBinaryTrainer.Options { L2Regularization = l2, NumberOfThreads = 1 }))
            .Fit(new DenseDataView(e.Apply(x, rows.Length), e.Names, rows.Select(i => f.Decisions[i].Action == logged).ToArray()));
        return (t, n) =>
        {
            var c = (float[])t.Clone();
            for (int j = 0; j < n; j++) c[j * W + DecisionFrame.AnnualValueColumn] = 0;
            return model.Transform(new DenseDataView(e.Apply(c, n), e.Names, new bool[n])).GetColumn<float>("Score").ToArray();
        };
    }

    // ----- feature expansions -----
    sealed class Expansion
    {
        public int[] Segments = [];
        public float[][] Cuts = []; // per registry feature: thresholds
        public bool Stumps, LogAnnual, Missing, Robust, Hinges; public float[] Lo = [], Hi = [];
        public int Width => W + Segments.Length + (Stumps ? (Hinges ? 2 : 1) * Cuts.Sum(c => c.Length) : 0) + (LogAnnual ? 1 : 0) + (Missing ? DecisionFrame.RegistryFeatures.Length : 0);
        public static Expansion Fit(float[] x, int n, bool stumps, int bins, bool logAnnual, bool missing, int[]? only = null, bool hinges = false)
        {
            var e = new Expansion { Stumps = stumps, LogAnnual = logAnnual, Missing = missing, Hinges = hinges };
            e.Segments = Enumerable.Range(0, n).Select(i => (int)x[i * W + DecisionFrame.SegmentColumn]).Distinct().Order().ToArray();
            if (stumps)
            {
                e.Cuts = new float[DecisionFrame.RegistryFeatures.Length][];
                for (int j = 0; j < e.Cuts.Length; j++)
                {
                    var v = Enumerable.Range(0, n).Select(i => x[i * W + j]).Where(z => !float.IsNaN(z)).Order().ToArray();
                    e.Cuts[j] = v.Length == 0 || (only is not null && !only.Contains(j)) ? [] : Enumerable.Range(1, bins - 1).Select(q => v[(int)((long)q * (v.Length - 1) / bins)]).Distinct().ToArray();
                }
            }
            return e;
        }
        public Expansion WithRobust(float[] x, int n)
        {
            Robust = true; Lo = new float[W]; Hi = new float[W];
            for (int j = 0; j < W; j++)
            {
                var v = Enumerable.Range(0, n).Select(i => x[i * W + j]).Where(z => !float.IsNaN(z)).Order().ToArray();
                if (v.Length == 0) { Lo[j] = float.MinValue; Hi[j] = float.MaxValue; continue; }
                Lo[j] = v[(int)(0.01 * (v.Length - 1))]; Hi[j] = v[(int)(0.99 * (v.Length - 1))];
            }
            return this;
        }
        public float[] Apply(float[] x, int n)
        {
            int ww = Width; var o = new float[n * ww];
            for (int i = 0; i < n; i++)
            {
                var row = x.AsSpan(i * W, W);
                var d = o.AsSpan(i * ww, ww);
                row.CopyTo(d);
                if (Robust)
                {
                    for (int j = 0; j < DecisionFrame.RegistryFeatures.Length; j++) if (!float.IsNaN(d[j])) d[j] = Math.Clamp(d[j], Lo[j], Hi[j]);
                    d[DecisionFrame.AnnualValueColumn] = (float)Math.Log(Math.Max(1, row[DecisionFrame.AnnualValueColumn]));
                }
                int c = W;
                int s = Array.IndexOf(Segments, (int)row[DecisionFrame.SegmentColumn]);
                if (s >= 0) d[c + s] = 1;
                c += Segments.Length;
                if (Stumps)
                    for (int j = 0; j < Cuts.Length; j++)
                        foreach (var t in Cuts[j])
                        {
                            d[c++] = float.IsNaN(row[j]) ? float.NaN : row[j] > t ? 1 : 0;
                            if (Hinges) d[c++] = float.IsNaN(row[j]) ? float.NaN : Math.Max(0, row[j] - t);
                        }
                if (LogAnnual) d[c++] = (float)Math.Log(Math.Max(1, row[DecisionFrame.AnnualValueColumn]));
                if (Missing) for (int j = 0; j < DecisionFrame.RegistryFeatures.Length; j++) d[c++] = float.IsNaN(row[j]) ? 1 : 0;
            }
            return o;
        }
        public string[] Names => Enumerable.Range(0, Width).Select(i => "f" + i.ToString(CultureInfo.InvariantCulture)).ToArray();
    }

    /// <summary>The logistic response both logistic learners share: mean imputation, standardizing, L-BFGS with the given penalties.</summary>
    static double[] FitLogistic(DecisionFrame f, int[] mine, float[] x, Expansion e, float[] test, int n, float l2, float l1)
    {
        var ml = new MLContext(1);
        var model = ml.Transforms.ReplaceMissingValues("Features", replacementMode: MissingValueReplacingEstimator.ReplacementMode.Mean)
            .Append(ml.Transforms.NormalizeMeanVariance("Features"))
            .Append(ml.BinaryClassification.Trainers.LbfgsLogisticRegression(new LbfgsLogisticRegressionBinaryTrainer.Options { L2Regularization = l2, L1Regularization = l1, NumberOfThreads = 1 }))
            .Fit(new DenseDataView(e.Apply(x, mine.Length), e.Names, mine.Select(i => f.Decisions[i].Responded).ToArray()));
        return model.Transform(new DenseDataView(e.Apply(test, n), e.Names, new bool[n])).GetColumn<float>("Probability").Select(p => (double)p).ToArray();
    }

    static ResponseLearner Logit(float l2, bool stumps = false, int bins = 5, bool logAnnual = false, bool missing = false, float l1 = 0, bool robust = false) => (f, rows, a, test, n) =>
    {
        var mine = rows.Where(i => f.Decisions[i].Action == a).ToArray();
        var x = Rows(f, mine);
        var e = Expansion.Fit(x, mine.Length, stumps, bins, logAnnual, missing);
        if (robust) e.WithRobust(x, mine.Length);
        return FitLogistic(f, mine, x, e, test, n, l2, l1);
    };

    static ResponseLearner Gam(int iters, int bins) => (f, rows, a, test, n) =>
    {
        var mine = rows.Where(i => f.Decisions[i].Action == a).ToArray();
        var x = Rows(f, mine);
        var e = Expansion.Fit(x, mine.Length, false, 0, false, false);
        var ml = new MLContext(1);
        var model = ml.BinaryClassification.Trainers.Gam(new Microsoft.ML.Trainers.FastTree.GamBinaryTrainer.Options { NumberOfIterations = iters, MaximumBinCountPerFeature = bins, LearningRate = 0.002, NumberOfThreads = 1 })
            .Fit(new DenseDataView(e.Apply(x, mine.Length), e.Names, mine.Select(i => f.Decisions[i].Responded).ToArray()));
        return model.Transform(new DenseDataView(e.Apply(test, n), e.Names, new bool[n])).GetColumn<float>("Probability").Select(p => (double)p).ToArray();
    };

    // Round 7: threshold-shaped response models with little variance.
    /// <summary>Logistic on the context plus step (and hinge) features at training quantiles of a few columns only.</summary>
    static ResponseLearner LogitSteps(float l2, int[] cols, int bins, bool hinges = false, bool robust = true, float l1 = 0) => (f, rows, a, test, n) =>
    {
        var mine = rows.Where(i => f.Decisions[i].Action == a).ToArray();
        var x = Rows(f, mine);
        var e = Expansion.Fit(x, mine.Length, true, bins, false, false, cols, hinges);
        if (robust) e.WithRobust(x, mine.Length);
        return FitLogistic(f, mine, x, e, test, n, l2, l1);
    };

    static ResponseLearner GamR(int iters, int bins, double lr, int minLeaf, double maxOut = double.PositiveInfinity) => (f, rows, a, test, n) =>
    {
        var mine = rows.Where(i => f.Decisions[i].Action == a).ToArray();
        var x = Rows(f, mine);
        var e = Expansion.Fit(x, mine.Length, false, 0, false, false);
        var ml = new MLContext(1);
        var model = ml.BinaryClassification.Trainers.Gam(new GamBinaryTrainer.Options { NumberOfIterations = iters, MaximumBinCountPerFeature = bins, LearningRate = lr, MinimumExampleCountPerLeaf = minLeaf, MaximumTreeOutput = maxOut, NumberOfThreads = 1, Seed = 1 })
            .Fit(new DenseDataView(e.Apply(x, mine.Length), e.Names, mine.Select(i => f.Decisions[i].Responded).ToArray()));
        return model.Transform(new DenseDataView(e.Apply(test, n), e.Names, new bool[n])).GetColumn<float>("Probability").Select(p => (double)p).ToArray();
    };

    static ResponseLearner TreeR(int trees, int leaves, int minLeaf, double lr, double featureFraction = 1, int bagging = 0) => (f, rows, a, test, n) =>
    {
        var mine = rows.Where(i => f.Decisions[i].Action == a).ToArray();
        var x = Rows(f, mine);
        var e = Expansion.Fit(x, mine.Length, false, 0, false, false);
        var ml = new MLContext(1);
        var model = ml.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options { NumberOfTrees = trees, NumberOfLeaves = leaves, MinimumExampleCountPerLeaf = minLeaf, LearningRate = lr, FeatureFraction = featureFraction, BaggingSize = bagging, BaggingExampleFraction = 0.7, NumberOfThreads = 1, Seed = 1 })
            .Fit(new DenseDataView(e.Apply(x, mine.Length), e.Names, mine.Select(i => f.Decisions[i].Responded).ToArray()));
        return model.Transform(new DenseDataView(e.Apply(test, n), e.Names, new bool[n])).GetColumn<float>("Probability").Select(p => (double)p).ToArray();
    };

    /// <summary>The mean of several response models' probabilities.</summary>
    static ResponseLearner MixR(params ResponseLearner[] parts) => (f, rows, a, test, n) =>
    {
        var sum = new double[n];
        foreach (var r in parts) { var p = r(f, rows, a, test, n); for (int i = 0; i < n; i++) sum[i] += p[i] / parts.Length; }
        return sum;
    };

    /// <summary>The linear value model both linear learners share: mean imputation, standardizing, SDCA with an L2 penalty.</summary>
    static double[] FitLinearValue(DecisionFrame f, int[] yes, float[] x, Expansion e, float[] test, int n, float l2)
    {
        var ml = new MLContext(1);
        var m = ml.Transforms.ReplaceMissingValues("Features", replacementMode: MissingValueReplacingEstimator.ReplacementMode.Mean)
            .Append(ml.Transforms.NormalizeMeanVariance("Features"))
            .Append(ml.Regression.Trainers.Sdca(new SdcaRegressionTrainer.Options { L2Regularization = l2, L1Regularization = 0, NumberOfThreads = 1, MaximumNumberOfIterations = 200 }))
            .Fit(new DenseDataView(e.Apply(x, yes.Length), e.Names, yes.Select(i => (float)Scaled(f, i)).ToArray()));
        return m.Transform(new DenseDataView(e.Apply(test, n), e.Names, new float[n])).GetColumn<float>("Score").Select(p => (double)p).ToArray();
    }

    static ValueLearner LinearSteps(float l2, int[] cols, int bins, bool hinges = false) => (f, rows, a, test, n) =>
    {
        var yes = rows.Where(i => f.Decisions[i].Action == a && f.Decisions[i].Responded).ToArray();
        var x = Rows(f, yes);
        var e = Expansion.Fit(x, yes.Length, true, bins, true, false, cols, hinges);
        return FitLinearValue(f, yes, x, e, test, n, l2);
    };

    /// <summary>The value given a response as (the action's mean immediate value per unit of annual value) x (long-term /
    /// immediate value), the ratio modelled per action: the logged long-term value includes the immediate one and both
    /// carry the same draw, so their ratio is a function of the state without the draw (truth-free: logged columns only).</summary>
    static ValueLearner Ratio(Func<float[], float[], int, float[], int, double[]> fit) => (f, rows, a, test, n) =>
    {
        var yes = rows.Where(i => f.Decisions[i].Action == a && f.Decisions[i].Responded && f.Decisions[i].Immediate > 0).ToArray();
        double imm = yes.Average(i => Math.Min(f.Decisions[i].Immediate / Scale(f.Context(i)), 2));
        var y = yes.Select(i => (float)(f.Decisions[i].Reward / f.Decisions[i].Immediate)).ToArray();
        var r = fit(Rows(f, yes), y, yes.Length, test, n);
        return r.Select(z => Math.Clamp(imm * z, -2, 2)).ToArray();
    };
    static Func<float[], float[], int, float[], int, double[]> LinFit(float l2, int[]? steps = null) => (x, y, m, test, n) =>
    {
        var e = Expansion.Fit(x, m, steps is not null, 4, true, false, steps);
        var ml = new MLContext(1);
        var model = ml.Transforms.ReplaceMissingValues("Features", replacementMode: MissingValueReplacingEstimator.ReplacementMode.Mean)
            .Append(ml.Transforms.NormalizeMeanVariance("Features"))
            .Append(ml.Regression.Trainers.Sdca(new SdcaRegressionTrainer.Options { L2Regularization = l2, L1Regularization = 0, NumberOfThreads = 1, MaximumNumberOfIterations = 200 }))
            .Fit(new DenseDataView(e.Apply(x, m), e.Names, y));
        return model.Transform(new DenseDataView(e.Apply(test, n), e.Names, new float[n])).GetColumn<float>("Score").Select(p => (double)p).ToArray();
    };
    static Func<float[], float[], int, float[], int, double[]> TreeFit(int trees, int leaves, int minLeaf) => (x, y, m, test, n) =>
    {
        var ml = new MLContext(1);
        var model = ml.Regression.Trainers.FastTree(new FastTreeRegressionTrainer.Options { NumberOfTrees = trees, NumberOfLeaves = leaves, MinimumExampleCountPerLeaf = minLeaf, LearningRate = 0.08, NumberOfThreads = 1 })
            .Fit(new DenseDataView(x, DecisionFrame.ContextNames, y));
        return model.Transform(new DenseDataView(test, DecisionFrame.ContextNames, new float[n])).GetColumn<float>("Score").Select(p => (double)p).ToArray();
    };
    static Func<float[], float[], int, float[], int, double[]> GamFit(int iters, int bins, double lr, int minLeaf) => (x, y, m, test, n) =>
    {
        var ml = new MLContext(1);
        var model = ml.Regression.Trainers.Gam(new GamRegressionTrainer.Options { NumberOfIterations = iters, MaximumBinCountPerFeature = bins, LearningRate = lr, MinimumExampleCountPerLeaf = minLeaf, NumberOfThreads = 1, Seed = 1 })
            .Fit(new DenseDataView(x, DecisionFrame.ContextNames, y));
        return model.Transform(new DenseDataView(test, DecisionFrame.ContextNames, new float[n])).GetColumn<float>("Score").Select(p => (double)p).ToArray();
    };

    static ValueLearner GamV(int iters, int bins, double lr, int minLeaf) => (f, rows, a, test, n) =>
    {
        var yes = rows.Where(i => f.Decisions[i].Action == a && f.Decisions[i].Responded).ToArray();
        var ml = new MLContext(1);
        var m = ml.Regression.Trainers.Gam(new GamRegressionTrainer.Options { NumberOfIterations = iters, MaximumBinCountPerFeature = bins, LearningRate = lr, MinimumExampleCountPerLeaf = minLeaf, NumberOfThreads = 1, Seed = 1 })
            .Fit(new DenseDataView(Rows(f, yes), DecisionFrame.ContextNames, yes.Select(i => (float)Scaled(f, i)).ToArray()));
        return m.Transform(new DenseDataView(test, DecisionFrame.ContextNames, new float[n])).GetColumn<float>("Score").Select(p => (double)p).ToArray();
    };

    static ValueLearner Tree(int trees = 60, int leaves = 8, int minLeaf = 7) => (f, rows, a, test, n) =>
    {
        var yes = rows.Where(i => f.Decisions[i].Action == a && f.Decisions[i].Responded).ToArray();
        var ml = new MLContext(1);
        var m = ml.Regression.Trainers.FastTree(new FastTreeRegressionTrainer.Options { NumberOfTrees = trees, NumberOfLeaves = leaves, MinimumExampleCountPerLeaf = minLeaf, LearningRate = 0.08, NumberOfThreads = 1 })
            .Fit(new DenseDataView(Rows(f, yes), DecisionFrame.ContextNames, yes.Select(i => (float)Scaled(f, i)).ToArray()));
        return m.Transform(new DenseDataView(test, DecisionFrame.ContextNames, new float[n])).GetColumn<float>("Score").Select(p => (double)p).ToArray();
    };

    static ValueLearner Linear(float l2, bool stumps = false, bool robust = false) => (f, rows, a, test, n) =>
    {
        var yes = rows.Where(i => f.Decisions[i].Action == a && f.Decisions[i].Responded).ToArray();
        var x = Rows(f, yes);
        var e = Expansion.Fit(x, yes.Length, stumps, 5, !robust, false);
        if (robust) e.WithRobust(x, yes.Length);
        return FitLinearValue(f, yes, x, e, test, n, l2);
    };

    static ValueLearner Mean => (f, rows, a, test, n) =>
    {
        var yes = rows.Where(i => f.Decisions[i].Action == a && f.Decisions[i].Responded).ToArray();
        double m = yes.Average(i => Scaled(f, i));
        return Enumerable.Repeat(m, n).ToArray();
    };

    // Pooled over actions: the value given a response, action one-hot.
    static Func<DecisionFrame, int[], float[], int, double[][]> PooledTree(int trees, int leaves, int minLeaf) => (f, rows, test, n) =>
    {
        int k = f.Actions.Count, ww = W + k;
        var yes = rows.Where(i => f.Decisions[i].Responded).ToArray();
        var x = new float[yes.Length * ww];
        for (int j = 0; j < yes.Length; j++) { f.Context(yes[j]).CopyTo(x.AsSpan(j * ww, W)); x[j * ww + W + f.Decisions[yes[j]].Action] = 1; }
        var names = Enumerable.Range(0, ww).Select(i => "f" + i).ToArray();
        var ml = new MLContext(1);
        var m = ml.Regression.Trainers.FastTree(new FastTreeRegressionTrainer.Options { NumberOfTrees = trees, NumberOfLeaves = leaves, MinimumExampleCountPerLeaf = minLeaf, LearningRate = 0.08, NumberOfThreads = 1 })
            .Fit(new DenseDataView(x, names, yes.Select(i => (float)Scaled(f, i)).ToArray()));
        var res = new double[n][];
        for (int i = 0; i < n; i++) res[i] = new double[k];
        for (int a = 0; a < k; a++)
        {
            var t = new float[n * ww];
            for (int i = 0; i < n; i++) { test.AsSpan(i * W, W).CopyTo(t.AsSpan(i * ww, W)); t[i * ww + W + a] = 1; }
            var s = m.Transform(new DenseDataView(t, names, new float[n])).GetColumn<float>("Score").ToArray();
            for (int i = 0; i < n; i++) res[i][a] = s[i];
        }
        return res;
    };

    // Pooled linear value given a response: shared feature effects plus per-action deviations (feature augmentation), action one-hot.
    static Func<DecisionFrame, int[], float[], int, double[][]> PooledLinear(float l2, bool robust = true, bool shared = true, bool all = false) => (f, rows, test, n) =>
    {
        int k = f.Actions.Count;
        var yes = rows.Where(i => all || f.Decisions[i].Responded).ToArray();
        var x0 = Rows(f, yes);
        var e = Expansion.Fit(x0, yes.Length, false, 0, false, false);
        if (robust) e.WithRobust(x0, yes.Length);
        int b = e.Width, ww = (shared ? b : 0) + k * b + k;
        float[] Aug(float[] xs, int m, Func<int, int> act)
        {
            var ex = e.Apply(xs, m);
            var o = new float[m * ww];
            for (int i = 0; i < m; i++)
            {
                int a = act(i);
                var src = ex.AsSpan(i * b, b);
                if (shared) src.CopyTo(o.AsSpan(i * ww, b));
                int off = (shared ? b : 0) + a * b;
                src.CopyTo(o.AsSpan(i * ww + off, b));
                o[i * ww + (shared ? b : 0) + k * b + a] = 1;
            }
            return o;
        }
        var names = Enumerable.Range(0, ww).Select(i => "f" + i).ToArray();
        var ml = new MLContext(1);
        var m = ml.Transforms.ReplaceMissingValues("Features", replacementMode: MissingValueReplacingEstimator.ReplacementMode.Mean)
            .Append(ml.Transforms.NormalizeMeanVariance("Features", fixZero: true))
            .Append(ml.Regression.Trainers.Sdca(new SdcaRegressionTrainer.Options { L2Regularization = l2, L1Regularization = 0, NumberOfThreads = 1, MaximumNumberOfIterations = 200 }))
            .Fit(new DenseDataView(Aug(x0, yes.Length, i => f.Decisions[yes[i]].Action), names, yes.Select(i => (float)Scaled(f, i)).ToArray()));
        var res = new double[n][];
        for (int i = 0; i < n; i++) res[i] = new double[k];
        for (int a = 0; a < k; a++)
        {
            var sc = m.Transform(new DenseDataView(Aug(test, n, _ => a), names, new float[n])).GetColumn<float>("Score").ToArray();
            for (int i = 0; i < n; i++) res[i][a] = sc[i];
        }
        return res;
    };

    static Func<DecisionFrame, int[], float[], int, double[][]> PooledLogit(float l2, bool shared = true) => (f, rows, test, n) =>
    {
        int k = f.Actions.Count;
        var x0 = Rows(f, rows);
        var e = Expansion.Fit(x0, rows.Length, false, 0, false, false);
        e.WithRobust(x0, rows.Length);
        int b = DecisionFrame.Width, segs = e.Segments.Length, ww = (shared ? b : 0) + k * b + k * segs + k;
        float[] Aug(float[] xs, int m, Func<int, int> act)
        {
            var ex = e.Apply(xs, m);
            int eb = e.Width;
            var o = new float[m * ww];
            for (int i = 0; i < m; i++)
            {
                int a = act(i);
                var src = ex.AsSpan(i * eb, b);
                if (shared) src.CopyTo(o.AsSpan(i * ww, b));
                int off = (shared ? b : 0);
                src.CopyTo(o.AsSpan(i * ww + off + a * b, b));
                off += k * b;
                int sgi = Array.IndexOf(e.Segments, (int)xs[i * W + DecisionFrame.SegmentColumn]);
                if (sgi >= 0) o[i * ww + off + a * segs + sgi] = 1;
                off += k * segs;
                o[i * ww + off + a] = 1;
            }
            return o;
        }
        var names = Enumerable.Range(0, ww).Select(i => "f" + i).ToArray();
        var ml = new MLContext(1);
        var m = ml.Transforms.ReplaceMissingValues("Features", replacementMode: MissingValueReplacingEstimator.ReplacementMode.Mean)
            .Append(ml.Transforms.NormalizeMeanVariance("Features", fixZero: true))
            .Append(ml.BinaryClassification.Trainers.LbfgsLogisticRegression(new LbfgsLogisticRegressionBinaryTrainer.Options { L2Regularization = l2, L1Regularization = 0, NumberOfThreads = 1 }))
            .Fit(new DenseDataView(Aug(x0, rows.Length, i => f.Decisions[rows[i]].Action), names, rows.Select(i => f.Decisions[i].Responded).ToArray()));
        var res = new double[n][];
        for (int i = 0; i < n; i++) res[i] = new double[k];
        for (int a = 0; a < k; a++)
        {
            var sc = m.Transform(new DenseDataView(Aug(test, n, _ => a), names, new bool[n])).GetColumn<float>("Probability").ToArray();
            for (int i = 0; i < n; i++) res[i][a] = sc[i];
        }
        return res;
    };

    // Round 10: one logistic over actions with hierarchical shrinkage. Features standardized on the training rows (robust,
    // mean-imputed to 0) go in twice: once shared by every action and once in the decision's action's own block scaled by
    // `dev`; plus an intercept per action and one per segment x action (both scaled by 3, so barely penalized). With
    // one L2 penalty l2 on every weight, an action's own effects cost l2 / dev^2: small dev pulls each action's effects
    // toward the pooled ones, large dev leaves per-action fits (the reference). No ML.NET normalizer: it would undo dev.
    static Func<DecisionFrame, int[], float[], int, double[][]> HierLogit(float l2, float dev) => (f, rows, test, n) =>
    {
        int k = f.Actions.Count;
        var x0 = Rows(f, rows);
        var e = Expansion.Fit(x0, rows.Length, false, 0, false, false);
        e.WithRobust(x0, rows.Length);
        int b = e.Width, segs = e.Segments.Length;
        var ex0 = e.Apply(x0, rows.Length);
        var mean = new double[b]; var sd = new double[b];
        for (int j = 0; j < b; j++)
        {
            if (j == DecisionFrame.SegmentColumn) { sd[j] = 1; continue; }
            var v = Enumerable.Range(0, rows.Length).Select(i => (double)ex0[i * b + j]).Where(z => !double.IsNaN(z)).ToArray();
            mean[j] = v.Length > 0 ? v.Average() : 0;
            double var = v.Length > 1 ? v.Sum(z => (z - mean[j]) * (z - mean[j])) / (v.Length - 1) : 0;
            sd[j] = var > 1e-12 ? Math.Sqrt(var) : 1;
        }
        int ww = b + k * b + k + k * segs;
        float[] Aug(float[] ex, int m, Func<int, int> act, float[] raw)
        {
            var o = new float[m * ww];
            for (int i = 0; i < m; i++)
            {
                int a = act(i);
                for (int j = 0; j < b; j++)
                {
                    if (j == DecisionFrame.SegmentColumn) continue;
                    float z = ex[i * b + j];
                    float s = float.IsNaN(z) ? 0f : (float)((z - mean[j]) / sd[j]);
                    o[i * ww + j] = s;
                    o[i * ww + b + a * b + j] = dev * s;
                }
                o[i * ww + b + k * b + a] = 3f;
                int sgi = Array.IndexOf(e.Segments, (int)raw[i * W + DecisionFrame.SegmentColumn]);
                if (sgi >= 0) o[i * ww + b + k * b + k + a * segs + sgi] = 3f;
            }
            return o;
        }
        var names = Enumerable.Range(0, ww).Select(i => "f" + i).ToArray();
        var ml = new MLContext(1);
        var m = ml.BinaryClassification.Trainers.LbfgsLogisticRegression(new LbfgsLogisticRegressionBinaryTrainer.Options { L2Regularization = l2, L1Regularization = 0, NumberOfThreads = 1 })
            .Fit(new DenseDataView(Aug(ex0, rows.Length, i => f.Decisions[rows[i]].Action, x0), names, rows.Select(i => f.Decisions[i].Responded).ToArray()));
        var ext = e.Apply(test, n);
        var res = new double[n][];
        for (int i = 0; i < n; i++) res[i] = new double[k];
        for (int a = 0; a < k; a++)
        {
            var sc = m.Transform(new DenseDataView(Aug(ext, n, _ => a, test), names, new bool[n])).GetColumn<float>("Probability").ToArray();
            for (int i = 0; i < n; i++) res[i][a] = sc[i];
        }
        return res;
    };

    /// <summary>Round 10: <see cref="HierLogit"/> with the penalty and the deviation scale chosen without truth, by the
    /// grouped (by account) 5-fold log-loss of the logged responses inside the training rows.</summary>
    static Func<DecisionFrame, int[], float[], int, double[][]> CvHier(float[] l2s, float[] devs) => (f, rows, test, n) =>
    {
        var accts = rows.Select(i => f.Decisions[i].AccountId).Distinct().Order(StringComparer.Ordinal).ToArray();
        var rng = new Random(17);
        var order = accts.OrderBy(_ => rng.Next()).ToArray();
        var foldOf = new Dictionary<string, int>();
        for (int i = 0; i < order.Length; i++) foldOf[order[i]] = i % 5;
        (float L2, float Dev) best = (l2s[0], devs[0]); double bestLoss = double.MaxValue;
        foreach (var l2 in l2s)
            foreach (var dev in devs)
            {
                double loss = 0; int cnt = 0;
                for (int k = 0; k < 5; k++)
                {
                    var train = rows.Where(i => foldOf[f.Decisions[i].AccountId] != k).ToArray();
                    var held = rows.Where(i => foldOf[f.Decisions[i].AccountId] == k).ToArray();
                    var p = HierLogit(l2, dev)(f, train, Rows(f, held), held.Length);
                    for (int j = 0; j < held.Length; j++)
                    {
                        var d = f.Decisions[held[j]];
                        double pp = Math.Clamp(p[j][d.Action], 1e-6, 1 - 1e-6);
                        loss -= d.Responded ? Math.Log(pp) : Math.Log(1 - pp); cnt++;
                    }
                }
                if (loss / cnt < bestLoss) (bestLoss, best) = (loss / cnt, (l2, dev));
            }
        Out?.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  chosen hierarchical response L2 {best.L2} dev {best.Dev} (cv log-loss {bestLoss:F4}, {rows.Length} rows)"));
        return HierLogit(best.L2, best.Dev)(f, rows, test, n);
    };

    // Penalties chosen without truth inside the training rows, as a Fit could do: grouped (by account) 5-fold log-loss
    // for the response, squared error of the scaled reward given a response for the value; per action or one choice
    // shared by all actions (the sum over actions). Cached per training-row set so each fold chooses once.
    static readonly Dictionary<(int[], string, int), float> Chosen = new(ReferenceEqualityComparer2.Instance);
    sealed class ReferenceEqualityComparer2 : IEqualityComparer<(int[], string, int)>
    {
        public static readonly ReferenceEqualityComparer2 Instance = new();
        public bool Equals((int[], string, int) x, (int[], string, int) y) => ReferenceEquals(x.Item1, y.Item1) && x.Item2 == y.Item2 && x.Item3 == y.Item3;
        public int GetHashCode((int[], string, int) x) => HashCode.Combine(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(x.Item1), x.Item2, x.Item3);
    }
    static float ChooseByCv(DecisionFrame f, int[] rows, int action, float[] grid, bool response, bool shared)
    {
        var key = (rows, (response ? "r" : "v") + string.Join("/", grid), shared ? -1 : action);
        lock (Chosen) if (Chosen.TryGetValue(key, out var c)) return c;
        var accts = rows.Select(i => f.Decisions[i].AccountId).Distinct().Order(StringComparer.Ordinal).ToArray();
        var rng = new Random(17);
        var order = accts.OrderBy(_ => rng.Next()).ToArray();
        var foldOf = new Dictionary<string, int>();
        for (int i = 0; i < order.Length; i++) foldOf[order[i]] = i % 5;
        float best = grid[0]; double bestLoss = double.MaxValue;
        foreach (var l2 in grid)
        {
            double loss = 0; int cnt = 0;
            foreach (int a in shared ? Enumerable.Range(0, f.Actions.Count) : [action])
                for (int k = 0; k < 5; k++)
                {
                    var train = rows.Where(i => foldOf[f.Decisions[i].AccountId] != k).ToArray();
                    var test = rows.Where(i => foldOf[f.Decisions[i].AccountId] == k && f.Decisions[i].Action == a && (response || f.Decisions[i].Responded)).ToArray();
                    if (test.Length == 0) continue;
                    var pr = response ? Logit(l2)(f, train, a, Rows(f, test), test.Length) : Linear(l2)(f, train, a, Rows(f, test), test.Length);
                    for (int j = 0; j < test.Length; j++)
                    {
                        if (response) { double pp = Math.Clamp(pr[j], 1e-6, 1 - 1e-6); loss -= f.Decisions[test[j]].Responded ? Math.Log(pp) : Math.Log(1 - pp); }
                        else { double d = pr[j] - Scaled(f, test[j]); loss += d * d; }
                        cnt++;
                    }
                }
            if (loss / cnt < bestLoss) (bestLoss, best) = (loss / cnt, l2);
        }
        lock (Chosen) Chosen[key] = best;
        Out?.WriteLine($"  chosen {(response ? "response" : "value")} L2 {best} ({(shared ? "all actions" : "action " + action)}, {rows.Length} rows)");
        return best;
    }
    static ResponseLearner CvLogit(float[] grid, bool shared) => (f, rows, a, test, n) => Logit(ChooseByCv(f, rows, a, grid, true, shared))(f, rows, a, test, n);
    static ValueLearner CvLinear(float[] grid, bool shared) => (f, rows, a, test, n) => Linear(ChooseByCv(f, rows, a, grid, false, shared))(f, rows, a, test, n);

    /// <summary>One action's column of a model pooled over actions (for the per-action cross-validation).</summary>
    static ValueLearner PerAction(Func<DecisionFrame, int[], float[], int, double[][]> pooled) => (f, rows, a, test, n) => pooled(f, rows, test, n).Select(r => r[a]).ToArray();

    sealed record Learner(string Name, ResponseLearner? R, ValueLearner? V, Func<DecisionFrame, int[], float[], int, double[][]>? PooledV = null, bool TrueR = false, bool TrueV = false, bool Direct = false, Func<DecisionFrame, int[], float[], int, double[][]>? PooledR = null, Learner[]? Members = null, int Bags = 0, double WeightPow = 0, int[]? Drop = null, int Risk = -1, Learner[]? Choose = null, Func<DecisionFrame, int[], DecisionFrame, int[], double[][]>? Custom = null);

    /// <summary>Chooses among learners without truth, by their policies' doubly robust value on held-out accounts of the
    /// training rows (grouped 5-fold; one reference reward model, the first candidate, for every candidate's estimate so
    /// the comparison is paired). Cached per training-row set.</summary>
    static readonly Dictionary<int[], Learner> Picked = new(ReferenceEqualityComparer.Instance);
    static Learner PickByPolicyValue(Learner[] cands, DecisionFrame f, int[] rows)
    {
        lock (Picked) if (Picked.TryGetValue(rows, out var done)) return done;
        var accts = rows.Select(i => f.Decisions[i].AccountId).Distinct().Order(StringComparer.Ordinal).ToArray();
        var rng = new Random(17);
        var order = accts.OrderBy(_ => rng.Next()).ToArray();
        var foldOf = new Dictionary<string, int>();
        for (int i = 0; i < order.Length; i++) foldOf[order[i]] = i % 5;
        var value = new double[cands.Length];
        for (int k = 0; k < 5; k++)
        {
            var train = rows.Where(i => foldOf[f.Decisions[i].AccountId] != k).ToArray();
            var held = rows.Where(i => foldOf[f.Decisions[i].AccountId] == k).ToArray();
            var qRef = Q(cands[0], f, train, f, held);
            for (int c = 0; c < cands.Length; c++)
            {
                var qc = c == 0 ? qRef : Q(cands[c], f, train, f, held);
                for (int j = 0; j < held.Length; j++)
                {
                    var d = f.Decisions[held[j]];
                    int act = ActionPolicyModel.ArgMax(qc[j]);
                    value[c] += qRef[j][act] + (act == d.Action ? (d.Reward - qRef[j][d.Action]) / Math.Max(d.Propensity, 0.02) : 0);
                }
            }
        }
        int best = Array.IndexOf(value, value.Max());
        Out?.WriteLine($"  picked {cands[best].Name} ({rows.Length} rows): " + string.Join(", ", cands.Select((c, i) => $"{c.Name} {value[i] / rows.Length:F0}")));
        lock (Picked) Picked[rows] = cands[best];
        return cands[best];
    }

    // ----- round 16: the DR-learner (doubly robust pseudo-outcomes regressed per action) -----
    /// <summary>Kennedy's DR-learner / Dudik et al.'s DR reduction: the base reward model, cross-fitted on
    /// <paramref name="inner"/> folds of the training accounts, gives every training row's out-of-fold prediction q(x, a);
    /// the pseudo-outcome of action a is q(x, a) + 1[A = a] / p (r - q(x, a)) (weight capped at <paramref name="maxWeight"/>),
    /// per unit of annual value; a second-stage model per action regresses it on the context over every training row (not
    /// only the rows that logged a). <paramref name="final"/>: "lin" SDCA L2 <paramref name="l2"/> on the pseudo-outcome;
    /// "tree" FastTree; "res-lin"/"res-tree" the same on the correction (pseudo-outcome minus q) added to the base model
    /// fitted on every training row. No truth is read.</summary>
    static Func<DecisionFrame, int[], DecisionFrame, int[], double[][]> DrLearner(Learner baseL, string final, float l2 = 30f, int trees = 100, int leaves = 4, int minLeaf = 50, double lr = 0.05, int inner = 3, double maxWeight = 20, double clip = 10) => (f, rows, test, testRows) =>
    {
        int k = f.Actions.Count, n = testRows.Length;
        var accts = rows.Select(i => f.Decisions[i].AccountId).Distinct().Order(StringComparer.Ordinal).ToArray();
        var rng = new Random(29);
        var order = accts.OrderBy(_ => rng.Next()).ToArray();
        var foldOf = new Dictionary<string, int>();
        for (int i = 0; i < order.Length; i++) foldOf[order[i]] = i % inner;
        var oof = new double[rows.Length][];
        for (int g = 0; g < inner; g++)
        {
            var pos = Enumerable.Range(0, rows.Length).Where(p => foldOf[f.Decisions[rows[p]].AccountId] == g).ToArray();
            var tr = rows.Where(i => foldOf[f.Decisions[i].AccountId] != g).ToArray();
            var qh = Q(baseL, f, tr, f, pos.Select(p => rows[p]).ToArray());
            for (int j = 0; j < pos.Length; j++) oof[pos[j]] = qh[j];
        }
        bool residual = final.StartsWith("res-", StringComparison.Ordinal);
        var qBase = residual ? Q(baseL, f, rows, test, testRows) : null;
        var x = Rows(f, rows);
        var tx = Rows(test, testRows);
        var q = new double[n][];
        for (int i = 0; i < n; i++) q[i] = new double[k];
        var ml = new MLContext(1);
        for (int a = 0; a < k; a++)
        {
            var y = new float[rows.Length];
            for (int p = 0; p < rows.Length; p++)
            {
                var d = f.Decisions[rows[p]];
                double s = Scale(f.Context(rows[p])), corr = d.Action == a ? Math.Min(maxWeight, 1 / Math.Max(1e-9, d.Propensity)) * (d.Reward - oof[p][a]) / s : 0;
                y[p] = (float)Math.Clamp((residual ? 0 : oof[p][a] / s) + corr, -clip, clip);
            }
            double[] pred;
            if (final.EndsWith("tree", StringComparison.Ordinal))
            {
                var m = ml.Regression.Trainers.FastTree(new FastTreeRegressionTrainer.Options { NumberOfTrees = trees, NumberOfLeaves = leaves, MinimumExampleCountPerLeaf = minLeaf, LearningRate = lr, NumberOfThreads = 1 })
                    .Fit(new DenseDataView(x, DecisionFrame.ContextNames, y));
                pred = m.Transform(new DenseDataView(tx, DecisionFrame.ContextNames, new float[n])).GetColumn<float>("Score").Select(v => (double)v).ToArray();
            }
            else
            {
                var e = Expansion.Fit(x, rows.Length, false, 0, true, false);
                var m = ml.Transforms.ReplaceMissingValues("Features", replacementMode: MissingValueReplacingEstimator.ReplacementMode.Mean)
                    .Append(ml.Transforms.NormalizeMeanVariance("Features"))
                    .Append(ml.Regression.Trainers.Sdca(new SdcaRegressionTrainer.Options { L2Regularization = l2, L1Regularization = 0, NumberOfThreads = 1, MaximumNumberOfIterations = 200 }))
                    .Fit(new DenseDataView(e.Apply(x, rows.Length), e.Names, y));
                pred = m.Transform(new DenseDataView(e.Apply(tx, n), e.Names, new float[n])).GetColumn<float>("Score").Select(v => (double)v).ToArray();
            }
            for (int i = 0; i < n; i++) q[i][a] = (residual ? qBase![i][a] : 0) + Scale(test.Context(testRows[i])) * pred[i];
        }
        return q;
    };

    static double[][] Q(Learner l, DecisionFrame f, int[] rows, DecisionFrame test, int[] testRows)
    {
        int k = f.Actions.Count, n = testRows.Length;
        if (l.Custom is { } custom) return custom(f, rows, test, testRows);
        if (l.Choose is { } cands)
            return Q(PickByPolicyValue(cands, f, rows), f, rows, test, testRows);
        if (l.Risk >= 0)
        {
            var idx = FitRiskIndex(f, rows, 1f, l.Risk);
            RiskIndex = idx;
            try { return Q(l with { Risk = -1 }, f, rows, test, testRows); } finally { RiskIndex = null; }
        }
        if (l.Drop is { } drop)
        {
            DropCols = drop;
            try { return Q(l with { Drop = null }, f, rows, test, testRows); } finally { DropCols = []; }
        }
        if (l.Members is { } members)
        {
            var sum = new double[n][];
            for (int i = 0; i < n; i++) sum[i] = new double[k];
            foreach (var m in members) { var qm = Q(m, f, rows, test, testRows); for (int i = 0; i < n; i++) for (int a = 0; a < k; a++) sum[i][a] += qm[i][a] / members.Length; }
            return sum;
        }
        if (l.WeightPow > 0)
        {
            var ann = rows.Select(r => Scale(f.Context(r))).Order().ToArray();
            double med = ann[ann.Length / 2];
            var rep = new List<int>();
            foreach (var r in rows) { int c = (int)Math.Round(Math.Clamp(Math.Pow(Scale(f.Context(r)) / med, l.WeightPow), 1, 6)); for (int j = 0; j < c; j++) rep.Add(r); }
            return Q(l with { WeightPow = 0 }, f, rep.ToArray(), test, testRows);
        }
        if (l.Bags > 0)
        {
            var sum = new double[n][];
            for (int i = 0; i < n; i++) sum[i] = new double[k];
            var accts = rows.GroupBy(r => f.Decisions[r].AccountId).Select(g => g.ToArray()).ToArray();
            var rng = new Random(5);
            for (int b = 0; b < l.Bags; b++)
            {
                var sample = new List<int>();
                for (int j = 0; j < accts.Length; j++) sample.AddRange(accts[rng.Next(accts.Length)]);
                var qm = Q(l with { Bags = 0 }, f, sample.ToArray(), test, testRows);
                for (int i = 0; i < n; i++) for (int a = 0; a < k; a++) sum[i][a] += qm[i][a] / l.Bags;
            }
            return sum;
        }
        var tx = Rows(test, testRows);
        var q = new double[n][];
        for (int i = 0; i < n; i++) q[i] = new double[k];
        double[][]? pooled = l.PooledV?.Invoke(f, rows, tx, n);
        double[][]? pooledR = l.PooledR?.Invoke(f, rows, tx, n);
        if (l.Direct) { for (int i = 0; i < n; i++) for (int a = 0; a < k; a++) q[i][a] = Scale(test.Context(testRows[i])) * pooled![i][a]; return q; }
        for (int a = 0; a < k; a++)
        {
            var no = rows.Where(i => f.Decisions[i].Action == a && !f.Decisions[i].Responded).ToArray();
            double noMean = no.Length > 0 ? no.Average(i => Scaled(f, i)) : 0;
            double[] p = pooledR is not null ? pooledR.Select(r => r[a]).ToArray() : l.TrueR ? testRows.Select(i => test.TrueResponseRate![i][a]).ToArray() : l.R!(f, rows, a, tx, n);
            double[] v = l.TrueV ? testRows.Select(i => test.TrueResponseRate![i][a] > 0 ? test.TrueValue![i][a] / test.TrueResponseRate![i][a] / Scale(test.Context(i)) : 0).ToArray()
                : pooled is not null ? pooled.Select(r => r[a]).ToArray() : l.V!(f, rows, a, tx, n);
            for (int i = 0; i < n; i++) q[i][a] = Scale(test.Context(testRows[i])) * (p[i] * v[i] + (1 - p[i]) * noMean);
        }
        return q;
    }

    static double Share(DecisionFrame test, int[] rows, double[][] q)
    {
        double v = 0, o = 0;
        for (int j = 0; j < rows.Length; j++) { v += test.TrueValue![rows[j]][ActionPolicyModel.ArgMax(q[j])]; o += test.TrueValue![rows[j]].Max(); }
        return v / o;
    }

    static double CrossFitted(Learner l, DecisionFrame f, int folds = 3, int seed = 42)
    {
        var accounts = f.Decisions.Select(d => d.AccountId).Distinct().Order(StringComparer.Ordinal).ToArray();
        var rng = new Random(Workbench.RunContext.DeriveSeed(seed, "actions/folds"));
        var order = accounts.OrderBy(_ => rng.Next()).ToArray();
        var foldOf = new Dictionary<string, int>();
        for (int i = 0; i < order.Length; i++) foldOf[order[i]] = i % folds;
        var all = new double[f.Count][];
        for (int k = 0; k < folds; k++)
        {
            var train = Enumerable.Range(0, f.Count).Where(i => foldOf[f.Decisions[i].AccountId] != k).ToArray();
            var test = Enumerable.Range(0, f.Count).Where(i => foldOf[f.Decisions[i].AccountId] == k).ToArray();
            var q = Q(l, f, train, f, test);
            for (int j = 0; j < test.Length; j++) all[test[j]] = q[j];
        }
        if (Environment.GetEnvironmentVariable("LAB_DIAG") == "1") Diagnose(f, all);
        return Share(f, Enumerable.Range(0, f.Count).ToArray(), all);
    }

    static ITestOutputHelper? Out;
    static void Diagnose(DecisionFrame f, double[][] q)
    {
        var loss = new Dictionary<(int, int), (double L, int N)>();
        var per = new List<(double L, int i, int o, int c)>();
        double total = 0;
        for (int i = 0; i < f.Count; i++)
        {
            int o = ActionPolicyModel.ArgMax(f.TrueValue![i]), c = ActionPolicyModel.ArgMax(q[i]);
            double l = f.TrueValue[i][o] - f.TrueValue[i][c];
            total += l;
            var cur = loss.GetValueOrDefault((o, c)); loss[(o, c)] = (cur.L + l, cur.N + 1);
            per.Add((l, i, o, c));
        }
        Out!.WriteLine($"total loss {total / f.Count:F1} per decision");
        foreach (var kv in loss.OrderByDescending(kv => kv.Value.L).Take(12))
            Out.WriteLine($"  oracle {f.Actions[kv.Key.Item1],-16} chosen {f.Actions[kv.Key.Item2],-16} n {kv.Value.N,4} loss/dec {kv.Value.L / f.Count:F1}");
        var top = per.OrderByDescending(p => p.L).ToList();
        Out.WriteLine($"  top 10 decisions carry {top.Take(10).Sum(p => p.L) / total:P0}, top 50 {top.Take(50).Sum(p => p.L) / total:P0}");
        foreach (var p in top.Take(8))
        {
            var c = f.Context(p.i);
            Out.WriteLine($"   annual {c[DecisionFrame.AnnualValueColumn]:F0} seg {c[DecisionFrame.SegmentColumn]} util {c[0]:F2} tr {c[1]:F2} oracle {f.Actions[p.o]} chosen {f.Actions[p.c]} loss {p.L:F0} true [{string.Join(", ", f.TrueValue![p.i].Select(v => v.ToString("F0")))}] q [{string.Join(", ", q[p.i].Select(v => v.ToString("F0")))}] rate [{string.Join(", ", f.TrueResponseRate![p.i].Select(v => v.ToString("F2")))}]");
        }
    }

    static double Across(Learner l, DecisionFrame train, DecisionFrame test) =>
        Share(test, Enumerable.Range(0, test.Count).ToArray(), Q(l, train, Enumerable.Range(0, train.Count).ToArray(), test, Enumerable.Range(0, test.Count).ToArray()));

    [SlowFact]
    public void Cross_validation_on_the_log_prefers_a_stronger_penalty_than_the_shipped_one()
    {
        int accounts = 400;
        var cvLoss = new Dictionary<(int, string), double>();
        foreach (int seed in new[] { 7, 8 })
        {
            var f = FrameOf(seed, accounts);
            var accts = f.Decisions.Select(d => d.AccountId).Distinct().Order(StringComparer.Ordinal).ToArray();
            var rng = new Random(123);
            var order = accts.OrderBy(_ => rng.Next()).ToArray();
            var foldOf = new Dictionary<string, int>();
            for (int i = 0; i < order.Length; i++) foldOf[order[i]] = i % 5;
            var resp = new (string, ResponseLearner)[] { ("L1", Logit(1)), ("L3", Logit(3)), ("L10", Logit(10)), ("L30", Logit(30)), ("L100", Logit(100)), ("R3", Logit(3, robust: true)), ("R10", Logit(10, robust: true)), ("R30", Logit(30, robust: true)), ("R100", Logit(100, robust: true)) };
            var vals = new (string, ValueLearner)[] { ("mean", Mean), ("tree", Tree()), ("lin3", Linear(3f)), ("lin10", Linear(10f)), ("lin30", Linear(30f)), ("lin100", Linear(100f)), ("rlin10", Linear(10f, robust: true)), ("rlin30", Linear(30f, robust: true)), ("rlin100", Linear(100f, robust: true)), ("pl3", PerAction(PooledLinear(3f))), ("pl10", PerAction(PooledLinear(10f))), ("pl30", PerAction(PooledLinear(30f))), ("pl100", PerAction(PooledLinear(100f))) };
            foreach (var (name, r) in resp)
            {
                double ll = 0; int cnt = 0;
                for (int k = 0; k < 5; k++)
                {
                    var train = Enumerable.Range(0, f.Count).Where(i => foldOf[f.Decisions[i].AccountId] != k).ToArray();
                    for (int a = 0; a < f.Actions.Count; a++)
                    {
                        var test = Enumerable.Range(0, f.Count).Where(i => foldOf[f.Decisions[i].AccountId] == k && f.Decisions[i].Action == a).ToArray();
                        var pr = r(f, train, a, Rows(f, test), test.Length);
                        for (int j = 0; j < test.Length; j++) { double pp = Math.Clamp(pr[j], 1e-6, 1 - 1e-6); ll -= f.Decisions[test[j]].Responded ? Math.Log(pp) : Math.Log(1 - pp); cnt++; }
                    }
                }
                output.WriteLine($"seed {seed} response {name,-6} cv logloss {ll / cnt:F4}");
                cvLoss[(seed, name)] = ll / cnt;
            }
            foreach (var (name, v) in vals)
            {
                double se = 0; int cnt = 0;
                for (int k = 0; k < 5; k++)
                {
                    var train = Enumerable.Range(0, f.Count).Where(i => foldOf[f.Decisions[i].AccountId] != k).ToArray();
                    for (int a = 0; a < f.Actions.Count; a++)
                    {
                        var test = Enumerable.Range(0, f.Count).Where(i => foldOf[f.Decisions[i].AccountId] == k && f.Decisions[i].Action == a && f.Decisions[i].Responded).ToArray();
                        var pr = v(f, train, a, Rows(f, test), test.Length);
                        for (int j = 0; j < test.Length; j++) { double d = pr[j] - Scaled(f, test[j]); se += d * d; cnt++; }
                    }
                }
                output.WriteLine($"seed {seed} value {name,-8} cv mse {se / cnt:F5}");
            }
        }
        // Truth-free: the grouped 5-fold log-loss of the response models (no planted value used) ranks the shipped
        // penalty (L2 3) below 10 or 30 on both logs.
        foreach (int seed in new[] { 7, 8 })
            Assert.True(Math.Min(cvLoss[(seed, "L10")], cvLoss[(seed, "L30")]) < cvLoss[(seed, "L3")], $"seed {seed}: L2 3 has the lowest cross-validated log-loss");
    }

    [SlowFact]
    public void Screen()
    {
        Out = output;
        int accounts = int.TryParse(Environment.GetEnvironmentVariable("LAB_ACCOUNTS"), out int acc) ? acc : 400;
        var which = (Environment.GetEnvironmentVariable("LAB") ?? "base,trueR+tree,logit+trueV,c-L10+lin30,r-R10+lin10").Split(',');
        var shares = new Dictionary<string, double[]>();
        var f7 = FrameOf(7, accounts); var f8 = FrameOf(8, accounts);
        // Names: response + value. "base" is version 2's learner (logistic L2 3 x FastTree 60x8; since round 8 the library
        // ships the "pv-base+grid" choice, ActionPolicyEstimator.Fit / RewardModel.Choose); Logit(l2) / "L<l2>" a
        // logistic per action, "R" the same on winsorized features (1-99% of the training rows) with log annual value,
        // "st"/"stumps" adds quantile step features, "gam" ML.NET GAM; values: "tree" FastTree per action, "mean" the
        // action's mean, "lin<l2>"/"rlin" SDCA linear per action, "pooled"/"pl" one model over actions (action one-hot /
        // shared plus per-action effects), "direct" one linear model of the reward itself; "trueR"/"trueV" put the
        // planted rate / value given a response in place of that part (diagnostics); "ens" averages, "bag" bags
        // accounts, "w-" replicates rows by annual value; "p-L<l2>+pl<l2>" a logistic per action x one linear value
        // model over actions; "cv-shared"/"cv-peraction" choose both penalties by grouped 5-fold CV inside each
        // training set (round 6: what a Fit could do without truth). Round 7: "s-" logistic with step (and hinge, "h")
        // features at training quantiles of the utilization columns (U) only, or also meetings and emails (UE); "g-gamA/B/C"
        // ML.NET GAM response; "t-" FastTree response (boosted stumps, 3 leaves, bagged); "m-" the mean of two response
        // models' probabilities; "v-...gamV" GAM value; "d-...-A" without the annual value as a feature; "i-" the annual
        // value column replaced by the logit of "the rep offered a discount" fitted on every training decision (Risk);
        // "l1"/"l3" an L1 penalty; "q-...rat-" the value given a response as the action's mean immediate share x a model
        // of long-term / immediate value (both logged values carry the same draw); "e7-" averages; "pv-" chooses among
        // learners by their policies' doubly robust value on held-out accounts of the training rows (no truth).
        var learners = new List<Learner>
        {
            new("base", Logit(3), Tree()),
            new("trueR+tree", null, Tree(), TrueR: true),
            new("logit+trueV", Logit(3), null, TrueV: true),
            new("logit+mean", Logit(3), Mean),
            new("logit+pooledtree", Logit(3), null, PooledTree(60, 8, 10)),
            new("logit+linear", Logit(3), Linear(1f)),
            new("logit+linear10", Logit(3), Linear(10f)),
            new("stumps5+tree", Logit(3, true, 5), Tree()),
            new("stumps5l10+tree", Logit(10, true, 5), Tree()),
            new("stumps10l10+tree", Logit(10, true, 10), Tree()),
            new("logitLA+tree", Logit(3, false, 5, true), Tree()),
            new("logit1+tree", Logit(1), Tree()),
            new("logit10+tree", Logit(10), Tree()),
            new("gam+tree", Gam(300, 16), Tree()),
            new("logit+tree30x4", Logit(3), Tree(30, 4, 10)),
            new("logit+tree100x4", Logit(3), Tree(100, 4, 10)),
            new("logit+pooled150", Logit(3), null, PooledTree(150, 8, 10)),
            new("trueR+mean", null, Mean, TrueR: true),
            new("trueR+linear10", null, Linear(10f), TrueR: true),
            new("trueR+linear30", null, Linear(30f), TrueR: true),
            new("trueR+linear100", null, Linear(100f), TrueR: true),
            new("trueR+linear3", null, Linear(3f), TrueR: true),
            new("trueR+pooled", null, null, PooledTree(60, 8, 10), TrueR: true),
            new("trueR+tree20x4", null, Tree(20, 4, 15), TrueR: true),
            new("trueR+linS30", null, Linear(30f, true), TrueR: true),
            new("l1+trueV", Logit(3, false, 5, false, false, 1f), null, TrueV: true),
            new("l10+trueV", Logit(10), null, TrueV: true),
            new("l30+trueV", Logit(30), null, TrueV: true),
            new("l1_1+trueV", Logit(1), null, TrueV: true),
            new("st5L1+trueV", Logit(1, true, 5, false, false, 3f), null, TrueV: true),
            new("st5L2_30+trueV", Logit(30, true, 5), null, TrueV: true),
            new("st5L1_10+trueV", Logit(1, true, 5, false, false, 10f), null, TrueV: true),
            new("miss+trueV", Logit(3, false, 5, false, true), null, TrueV: true),
            new("c-L30+mean", Logit(30), Mean),
            new("c-L30+lin3", Logit(30), Linear(3f)),
            new("c-L30+lin30", Logit(30), Linear(30f)),
            new("c-L30+pooled", Logit(30), null, PooledTree(60, 8, 10)),
            new("c-L30+tree", Logit(30), Tree()),
            new("c-L100+mean", Logit(100), Mean),
            new("c-L100+lin3", Logit(100), Linear(3f)),
            new("c-L100+lin30", Logit(100), Linear(30f)),
            new("c-L100+pooled", Logit(100), null, PooledTree(60, 8, 10)),
            new("c-L100+tree", Logit(100), Tree()),
            new("c-L10+mean", Logit(10), Mean),
            new("c-L10+lin3", Logit(10), Linear(3f)),
            new("c-L10+lin30", Logit(10), Linear(30f)),
            // Round 16: the DR-learner on the reference stand-in's cross-fitted pseudo-outcomes.
            new("dr-lin30", null, null, Custom: DrLearner(new("c", Logit(10), Linear(30f)), "lin")),
            new("dr-lin100", null, null, Custom: DrLearner(new("c", Logit(10), Linear(30f)), "lin", l2: 100f)),
            new("dr-tree", null, null, Custom: DrLearner(new("c", Logit(10), Linear(30f)), "tree")),
            new("dr-res-lin100", null, null, Custom: DrLearner(new("c", Logit(10), Linear(30f)), "res-lin", l2: 100f)),
            new("dr-res-tree", null, null, Custom: DrLearner(new("c", Logit(10), Linear(30f)), "res-tree")),
            new("dr-res-tree-slow", null, null, Custom: DrLearner(new("c", Logit(10), Linear(30f)), "res-tree", trees: 50, leaves: 3, minLeaf: 100, lr: 0.03)),
            // Round 16: SDCA's L2 multiplies the mean loss, so a fixed value penalty shrinks as much at 4,000 accounts as at
            // 400 (LBFGS's multiplies the summed loss and fades with the log); weaker value penalties, and one chosen by
            // grouped 5-fold squared error on a wider grid.
            new("c-L10+lin1", Logit(10), Linear(1f)),
            new("c-L10+lin0.3", Logit(10), Linear(0.3f)),
            new("c-L10+lin0.1", Logit(10), Linear(0.1f)),
            new("c-L3+lin1", Logit(3), Linear(1f)),
            new("cv-val-wide", Logit(10), CvLinear([0.1f, 0.3f, 1f, 3f, 10f, 30f], true)),
            new("cv-both-wide", CvLogit([1f, 3f, 10f, 30f, 100f], true), CvLinear([0.1f, 0.3f, 1f, 3f, 10f, 30f], true)),
            new("dr-res-tree-mid", null, null, Custom: DrLearner(new("c", Logit(10), Linear(30f)), "res-tree", trees: 100, leaves: 4, minLeaf: 100, lr: 0.03)),
            new("dr-res-tree-w5", null, null, Custom: DrLearner(new("c", Logit(10), Linear(30f)), "res-tree", trees: 50, leaves: 3, minLeaf: 100, lr: 0.03, maxWeight: 5)),
            new("dr-res-stump", null, null, Custom: DrLearner(new("c", Logit(10), Linear(30f)), "res-tree", trees: 100, leaves: 2, minLeaf: 100, lr: 0.03)),
            new("c-L10+pooled", Logit(10), null, PooledTree(60, 8, 10)),
            new("c-L10+tree", Logit(10), Tree()),
            new("c-S5L1_10+mean", Logit(1, true, 5, false, false, 10f), Mean),
            new("c-S5L1_10+lin3", Logit(1, true, 5, false, false, 10f), Linear(3f)),
            new("c-S5L1_10+lin30", Logit(1, true, 5, false, false, 10f), Linear(30f)),
            new("c-S5L1_10+pooled", Logit(1, true, 5, false, false, 10f), null, PooledTree(60, 8, 10)),
            new("c-S5L1_10+tree", Logit(1, true, 5, false, false, 10f), Tree()),
            new("r-R3+mean", Logit(3, robust: true), Mean),
            new("r-R3+lin10", Logit(3, robust: true), Linear(10f)),
            new("r-R3+rlin10", Logit(3, robust: true), Linear(10f, robust: true)),
            new("r-R3+rlin30", Logit(3, robust: true), Linear(30f, robust: true)),
            new("r-R3+pooled", Logit(3, robust: true), null, PooledTree(60, 8, 10)),
            new("r-R3+trueV", Logit(3, robust: true), null, TrueV: true),
            new("r-R10+mean", Logit(10, robust: true), Mean),
            new("r-R10+lin10", Logit(10, robust: true), Linear(10f)),
            new("r-R10+rlin10", Logit(10, robust: true), Linear(10f, robust: true)),
            new("r-R10+rlin30", Logit(10, robust: true), Linear(30f, robust: true)),
            new("r-R10+pooled", Logit(10, robust: true), null, PooledTree(60, 8, 10)),
            new("r-R10+trueV", Logit(10, robust: true), null, TrueV: true),
            new("r-R30+mean", Logit(30, robust: true), Mean),
            new("r-R30+lin10", Logit(30, robust: true), Linear(10f)),
            new("r-R30+rlin10", Logit(30, robust: true), Linear(10f, robust: true)),
            new("r-R30+rlin30", Logit(30, robust: true), Linear(30f, robust: true)),
            new("r-R30+pooled", Logit(30, robust: true), null, PooledTree(60, 8, 10)),
            new("r-R30+trueV", Logit(30, robust: true), null, TrueV: true),
            new("r-R1+mean", Logit(1, robust: true), Mean),
            new("r-R1+lin10", Logit(1, robust: true), Linear(10f)),
            new("r-R1+rlin10", Logit(1, robust: true), Linear(10f, robust: true)),
            new("r-R1+rlin30", Logit(1, robust: true), Linear(30f, robust: true)),
            new("r-R1+pooled", Logit(1, robust: true), null, PooledTree(60, 8, 10)),
            new("r-R1+trueV", Logit(1, robust: true), null, TrueV: true),
            new("r-trueR+rlin10", null, Linear(10f, robust: true), TrueR: true),
            new("p-R10+pl1", Logit(10, robust: true), null, PooledLinear(1f)),
            new("p-R10+pl3", Logit(10, robust: true), null, PooledLinear(3f)),
            new("p-R10+pl10", Logit(10, robust: true), null, PooledLinear(10f)),
            new("p-R10+pl30", Logit(10, robust: true), null, PooledLinear(30f)),
            new("p-R30+pl1", Logit(30, robust: true), null, PooledLinear(1f)),
            new("p-R30+pl3", Logit(30, robust: true), null, PooledLinear(3f)),
            new("p-R30+pl10", Logit(30, robust: true), null, PooledLinear(10f)),
            new("p-R30+pl30", Logit(30, robust: true), null, PooledLinear(30f)),
            new("p-trueR+pl1", null, null, PooledLinear(1f), TrueR: true),
            new("p-trueR+pl3", null, null, PooledLinear(3f), TrueR: true),
            new("p-trueR+pl10", null, null, PooledLinear(10f), TrueR: true),
            new("p-trueR+pl30", null, null, PooledLinear(30f), TrueR: true),
            new("d-direct1f", null, null, PooledLinear(1f, all: true), Direct: true),
            new("d-direct3f", null, null, PooledLinear(3f, all: true), Direct: true),
            new("d-direct10f", null, null, PooledLinear(10f, all: true), Direct: true),
            new("d-direct30f", null, null, PooledLinear(30f, all: true), Direct: true),
            new("d-direct100f", null, null, PooledLinear(100f, all: true), Direct: true),
            new("d-plogit1f+trueV", null, null, TrueV: true, PooledR: PooledLogit(1f)),
            new("d-plogit1f+pl30", null, null, PooledLinear(30f), PooledR: PooledLogit(1f)),
            new("d-plogit3f+trueV", null, null, TrueV: true, PooledR: PooledLogit(3f)),
            new("d-plogit3f+pl30", null, null, PooledLinear(30f), PooledR: PooledLogit(3f)),
            new("d-plogit10f+trueV", null, null, TrueV: true, PooledR: PooledLogit(10f)),
            new("d-plogit10f+pl30", null, null, PooledLinear(30f), PooledR: PooledLogit(10f)),
            new("d-plogit30f+trueV", null, null, TrueV: true, PooledR: PooledLogit(30f)),
            new("d-plogit30f+pl30", null, null, PooledLinear(30f), PooledR: PooledLogit(30f)),
            new("e-ens4", null, null, Members: [new("a", Logit(10, robust: true), Linear(10f)), new("b", Logit(30, robust: true), Linear(30f, robust: true)), new("c", Logit(10), Linear(30f)), new("d", Logit(30), Mean)]),
            new("e-ens2", null, null, Members: [new("a", Logit(10, robust: true), Linear(10f)), new("b", Logit(30, robust: true), Linear(30f, robust: true))]),
            new("e-ensV", null, null, Members: [new("a", Logit(30, robust: true), Mean), new("b", Logit(30, robust: true), Linear(30f, robust: true)), new("c", Logit(30, robust: true), null, PooledLinear(30f)), new("d", Logit(30, robust: true), null, PooledTree(60, 8, 10))]),
            new("e-bagR30rl30", Logit(30, robust: true), Linear(30f, robust: true), Bags: 10),
            new("e-bagR10rl10", Logit(10, robust: true), Linear(10f, robust: true), Bags: 10),
            new("e-bagR30tree", Logit(30, robust: true), Tree(), Bags: 10),
            new("w-R30rl30_05", Logit(30, robust: true), Linear(30f, robust: true), WeightPow: 0.5),
            new("w-R30rl30_1", Logit(30, robust: true), Linear(30f, robust: true), WeightPow: 1),
            new("w-R10l10_05", Logit(10, robust: true), Linear(10f), WeightPow: 0.5),
            new("w-R30trueV_05", Logit(30, robust: true), null, TrueV: true, WeightPow: 0.5),
            new("w-trueRrl30_05", null, Linear(30f, robust: true), TrueR: true, WeightPow: 0.5),
            new("g-gam1000+lin10", Gam(1000, 16), Linear(10f)),
            new("g-gam3000+lin10", Gam(3000, 16), Linear(10f)),
            new("g-gam3000b8+lin10", Gam(3000, 8), Linear(10f)),
            new("g-gam3000+trueV", Gam(3000, 16), null, TrueV: true),
            new("a-R10+rlin3", Logit(10, robust: true), Linear(3f, robust: true)),
            new("a-R30+rlin10", Logit(30, robust: true), Linear(10f, robust: true)),
            new("a-R10+lin3", Logit(10, robust: true), Linear(3f)),
            new("logit+linear30", Logit(3), Linear(30f)),
            new("logit+linear100", Logit(3), Linear(100f)),
            new("cv-shared", CvLogit([3f, 10f, 30f, 100f], true), CvLinear([3f, 10f, 30f, 100f], true)),
            new("cv-peraction", CvLogit([3f, 10f, 30f, 100f], false), CvLinear([3f, 10f, 30f, 100f], false)),
            new("p-L10+pl30", Logit(10), null, PooledLinear(30f)),
            new("p-L30+pl30", Logit(30), null, PooledLinear(30f)),
            new("p-L10+pl10", Logit(10), null, PooledLinear(10f)),
            new("p-L30+pl10", Logit(30), null, PooledLinear(10f)),
            new("p-L10+pl100", Logit(10), null, PooledLinear(100f)),
            // Round 7 (U: the utilization columns 0-2; UE: plus meetings and emails).
            new("s-U4L10+lin30", LogitSteps(10, U, 4), Linear(30f)),
            new("s-U4L30+lin30", LogitSteps(30, U, 4), Linear(30f)),
            new("s-U6L30+lin30", LogitSteps(30, U, 6), Linear(30f)),
            new("s-U4hL30+lin30", LogitSteps(30, U, 4, hinges: true), Linear(30f)),
            new("s-UE4L30+lin30", LogitSteps(30, UE, 4), Linear(30f)),
            new("s-U4L30+U4lin30", LogitSteps(30, U, 4), LinearSteps(30f, U, 4)),
            new("s-U4L30+trueV", LogitSteps(30, U, 4), null, TrueV: true),
            new("s-trueR+U4lin30", null, LinearSteps(30f, U, 4), TrueR: true),
            new("s-U4L30+mean", LogitSteps(30, U, 4), Mean),
            new("g-gamA+lin30", GamR(300, 8, 0.02, 20), Linear(30f)),
            new("g-gamB+lin30", GamR(1000, 4, 0.01, 30), Linear(30f)),
            new("g-gamC+lin30", GamR(200, 16, 0.02, 40), Linear(30f)),
            new("g-gamA+trueV", GamR(300, 8, 0.02, 20), null, TrueV: true),
            new("t-stumps+lin30", TreeR(100, 2, 20, 0.05), Linear(30f)),
            new("t-t3+lin30", TreeR(60, 3, 25, 0.05), Linear(30f)),
            new("t-bag+lin30", TreeR(100, 4, 20, 0.05, 0.7, 1), Linear(30f)),
            new("m-L10gamA+lin30", MixR(Logit(10), GamR(300, 8, 0.02, 20)), Linear(30f)),
            new("m-L10stumps+lin30", MixR(Logit(10), TreeR(100, 2, 20, 0.05)), Linear(30f)),
            new("m-L30sU4+lin30", MixR(Logit(30), LogitSteps(30, U, 4)), Linear(30f)),
            new("v-L10+gamV", Logit(10), GamV(300, 8, 0.02, 10)),
            new("v-trueR+gamV", null, GamV(300, 8, 0.02, 10), TrueR: true),
            new("d-L10+lin30-A", Logit(10), Linear(30f), Drop: [13]),
            new("d-L30+lin30-A", Logit(30), Linear(30f), Drop: [13]),
            new("d-L10+lin10-A", Logit(10), Linear(10f), Drop: [13]),
            new("d-L3+lin30-A", Logit(3), Linear(30f), Drop: [13]),
            new("d-L10+trueV-A", Logit(10), null, TrueV: true, Drop: [13]),
            new("d-trueR+lin30-A", null, Linear(30f), TrueR: true, Drop: [13]),
            new("d-R10+rlin30-A", Logit(10, robust: true), Linear(30f, robust: true), Drop: [13]),
            new("i-L10+lin30", Logit(10), Linear(30f), Risk: 0),
            new("i-L30+lin30", Logit(30), Linear(30f), Risk: 0),
            new("i-L30+lin10", Logit(30), Linear(10f), Risk: 0),
            new("i-L10+trueV", Logit(10), null, TrueV: true, Risk: 0),
            new("i-trueR+lin30", null, Linear(30f), TrueR: true, Risk: 0),
            new("i-L30+lin30-tr", Logit(30), Linear(30f), Risk: 3),
            new("i-L10l1+lin30", Logit(10, l1: 1f), Linear(30f), Risk: 0),
            new("q-L3+rat-lin3", Logit(3), Ratio(LinFit(3f))),
            new("e7-4", null, null, Members: [new("L10+lin30", Logit(10), Linear(30f)), new("L10+rat-lin10", Logit(10), Ratio(LinFit(10f))), new("L3l3+lin30i", Logit(3, l1: 3f), Linear(30f), Risk: 0), new("L30+lin30i", Logit(30), Linear(30f), Risk: 0)]),
            new("e7-2", null, null, Members: [new("L10+lin30", Logit(10), Linear(30f)), new("L10+rat-lin10", Logit(10), Ratio(LinFit(10f)))]),
            new("e7-ratio2", null, null, Members: [new("L10+rat-lin10", Logit(10), Ratio(LinFit(10f))), new("L10+rat-tree4", Logit(10), Ratio(TreeFit(100, 4, 5)))]),
            new("pv-grid6", null, null, Choose: [new("L10+lin30", Logit(10), Linear(30f)), new("L3+lin30", Logit(3), Linear(30f)), new("L30+lin30", Logit(30), Linear(30f)),
                new("L10+lin10", Logit(10), Linear(10f)), new("L3+lin10", Logit(3), Linear(10f)), new("L30+lin10", Logit(30), Linear(10f))]),
            new("pv-base+grid", null, null, Choose: [new("L10+lin30", Logit(10), Linear(30f)), new("base", Logit(3), Tree()), new("L30+lin30", Logit(30), Linear(30f)),
                new("L10+rat-lin10", Logit(10), Ratio(LinFit(10f))), new("L3l3+lin30i", Logit(3, l1: 3f), Linear(30f), Risk: 0), new("L30+lin30i", Logit(30), Linear(30f), Risk: 0)]),
            new("q-L10+rat-lin3", Logit(10), Ratio(LinFit(3f))),
            new("q-L10+rat-lin1", Logit(10), Ratio(LinFit(1f))),
            new("q-L10+rat-lin10", Logit(10), Ratio(LinFit(10f))),
            new("q-L10+rat-lin30", Logit(10), Ratio(LinFit(30f))),
            new("q-L10+rat-tree", Logit(10), Ratio(TreeFit(60, 8, 7))),
            new("q-L10+rat-tree4", Logit(10), Ratio(TreeFit(100, 4, 5))),
            new("q-L10+rat-gam", Logit(10), Ratio(GamFit(300, 16, 0.05, 5))),
            new("q-L10+rat-linU", Logit(10), Ratio(LinFit(3f, U))),
            new("q-trueR+rat-lin3", null, Ratio(LinFit(3f)), TrueR: true),
            new("q-trueR+rat-tree", null, Ratio(TreeFit(60, 8, 7)), TrueR: true),
            new("q-L3+rat-tree", Logit(3), Ratio(TreeFit(60, 8, 7))),
            new("q-L30+rat-tree", Logit(30), Ratio(TreeFit(60, 8, 7))),
            new("i-L10l3+lin30", Logit(10, l1: 3f), Linear(30f), Risk: 0),
            new("i-L30l3+lin30", Logit(30, l1: 3f), Linear(30f), Risk: 0),
            new("i-L3l3+lin30", Logit(3, l1: 3f), Linear(30f), Risk: 0),
            new("i-bagL30+lin30", Logit(30), Linear(30f), Risk: 0, Bags: 10),
            new("i-L30+lin30+mean", null, null, Risk: 0, Members: [new("a", Logit(30), Linear(30f)), new("b", Logit(30), Mean)]),
            new("h-cv+lin30", null, Linear(30f), PooledR: CvHier([3f, 10f, 30f, 100f], [0.25f, 0.5f, 1f, 2f])),
            // Round 12: round 10's grid without the leak chose its edge (L2 100, dev 2) in 23 of 24 folds; a wider grid.
            new("h-cvwide+lin30", null, Linear(30f), PooledR: CvHier([30f, 100f, 300f, 1000f], [1f, 2f, 4f, 8f])),
            new("h-H100d0.5+lin30", null, Linear(30f), PooledR: HierLogit(100f, 0.5f)),
            new("h-H30d0.25+lin30", null, Linear(30f), PooledR: HierLogit(30f, 0.25f)),
            new("h-H100d0.25+lin30", null, Linear(30f), PooledR: HierLogit(100f, 0.25f)),
            new("h-H30d0+lin30", null, Linear(30f), PooledR: HierLogit(30f, 0f)),
            new("h-H3d0.5+lin30", null, Linear(30f), PooledR: HierLogit(3f, 0.5f)),
            new("h-H3d1+lin30", null, Linear(30f), PooledR: HierLogit(3f, 1f)),
            new("h-H3d2+lin30", null, Linear(30f), PooledR: HierLogit(3f, 2f)),
            new("h-H10d0.5+lin30", null, Linear(30f), PooledR: HierLogit(10f, 0.5f)),
            new("h-H10d1+lin30", null, Linear(30f), PooledR: HierLogit(10f, 1f)),
            new("h-H10d2+lin30", null, Linear(30f), PooledR: HierLogit(10f, 2f)),
            new("h-H30d0.5+lin30", null, Linear(30f), PooledR: HierLogit(30f, 0.5f)),
            new("h-H30d1+lin30", null, Linear(30f), PooledR: HierLogit(30f, 1f)),
            new("h-H30d2+lin30", null, Linear(30f), PooledR: HierLogit(30f, 2f)),
        };
        // LAB_SEEDS=9,10,11: cross-fitted on those seeds' books only (issue #15, round 9: is seed 7 typical?).
        if (Environment.GetEnvironmentVariable("LAB_SEEDS") is { Length: > 0 } seedList)
        {
            var chosen = learners.Where(l => which.Contains("all") || which.Contains(l.Name)).ToList();
            var sum = new double[chosen.Count];
            var seeds = seedList.Split(',').Select(x => int.Parse(x, CultureInfo.InvariantCulture)).ToArray();
            foreach (int seed in seeds)
                for (int li = 0; li < chosen.Count; li++)
                {
                    double cf = CrossFitted(chosen[li], FrameOf(seed, accounts), int.TryParse(Environment.GetEnvironmentVariable("LAB_FOLDS"), out int lf) ? lf : 3);
                    sum[li] += cf;
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seed {seed} {chosen[li].Name,-22} crossfit {cf:P1}"));
                }
            for (int li = 0; li < chosen.Count; li++)
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"mean {chosen[li].Name,-22} {sum[li] / seeds.Length:P1}"));
            return;
        }
        foreach (var l in learners.Where(l => which.Contains("all") || which.Contains(l.Name)))
        {
            double cf = CrossFitted(l, f7), a = Across(l, f7, f8), b = Across(l, f8, f7);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{l.Name,-22} crossfit7 {cf:P1}  7->8 {a:P1}  8->7 {b:P1}  mean {(cf + a + b) / 3:P1}"));
            shares[l.Name] = [cf, a, b];
        }
        // The candidate the round found (stronger response penalty, linear value model) beats the shipped learner in
        // every setting on the 400-account books (the docs' table); other sizes only print.
        if (accounts == 400 && shares.TryGetValue("base", out var shipped) && shares.TryGetValue("r-R10+lin10", out var candidate))
            for (int s = 0; s < 3; s++) Assert.True(candidate[s] > shipped[s], $"setting {s}: candidate {candidate[s]:P1} <= shipped {shipped[s]:P1}");
        // Round 7: choosing among learners by their policies' doubly robust value on held-out accounts of the training
        // rows (no truth) beats the shipped learner in every setting (but stays below 90% cross-fitted; docs' table).
        if (accounts == 400 && shares.TryGetValue("base", out var shipped7) && shares.TryGetValue("pv-base+grid", out var picked))
            for (int s = 0; s < 3; s++) Assert.True(picked[s] > shipped7[s], $"setting {s}: chosen by policy value {picked[s]:P1} <= shipped {shipped7[s]:P1}");
    }
}
