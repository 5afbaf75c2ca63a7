namespace Workbench.Analytics.Ranking;

/// <summary>Binary classification metrics over scores and 0/1 outcomes. Ties in scores are handled
/// exactly (average ranks for ROC AUC, grouped thresholds for PR AUC), so results do not depend on row order.</summary>
public static class ClassificationMetrics
{
    /// <summary>Area under the ROC curve (Mann-Whitney U with average ranks for ties). NaN if one class is absent.</summary>
    public static double RocAuc(IReadOnlyList<double> scores, IReadOnlyList<bool> labels)
    {
        Check(scores, labels);
        var order = Enumerable.Range(0, scores.Count).OrderBy(i => scores[i]).ToArray();
        double rankSumPos = 0; long pos = 0;
        for (int i = 0; i < order.Length;)
        {
            int j = i;
            while (j + 1 < order.Length && scores[order[j + 1]] == scores[order[i]]) j++;
            double avgRank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) if (labels[order[k]]) { rankSumPos += avgRank; pos++; }
            i = j + 1;
        }
        long neg = scores.Count - pos;
        if (pos == 0 || neg == 0) return double.NaN;
        return (rankSumPos - pos * (pos + 1) / 2.0) / ((double)pos * neg);
    }

    /// <summary>Average precision (area under the precision-recall curve, step-wise, as scikit-learn's average_precision_score).</summary>
    public static double PrAuc(IReadOnlyList<double> scores, IReadOnlyList<bool> labels)
    {
        Check(scores, labels);
        int totalPos = labels.Count(l => l);
        if (totalPos == 0) return double.NaN;
        var order = Enumerable.Range(0, scores.Count).OrderByDescending(i => scores[i]).ToArray();
        double ap = 0, prevRecall = 0; int tp = 0, seen = 0;
        for (int i = 0; i < order.Length;)
        {
            int j = i;
            while (j + 1 < order.Length && scores[order[j + 1]] == scores[order[i]]) j++;
            for (int k = i; k <= j; k++) { if (labels[order[k]]) tp++; seen++; }
            double recall = (double)tp / totalPos, precision = (double)tp / seen;
            ap += (recall - prevRecall) * precision;
            prevRecall = recall;
            i = j + 1;
        }
        return ap;
    }

    /// <summary>Mean negative log-likelihood, probabilities clipped to [1e-15, 1 - 1e-15].</summary>
    public static double LogLoss(IReadOnlyList<double> probabilities, IReadOnlyList<bool> labels)
    {
        Check(probabilities, labels);
        double sum = 0;
        for (int i = 0; i < labels.Count; i++)
        {
            double p = Math.Clamp(probabilities[i], 1e-15, 1 - 1e-15);
            sum -= labels[i] ? Math.Log(p) : Math.Log(1 - p);
        }
        return sum / labels.Count;
    }

    public static double Brier(IReadOnlyList<double> probabilities, IReadOnlyList<bool> labels)
    {
        Check(probabilities, labels);
        double sum = 0;
        for (int i = 0; i < labels.Count; i++) { double d = probabilities[i] - (labels[i] ? 1 : 0); sum += d * d; }
        return sum / labels.Count;
    }

    /// <summary>Reliability data: predictions cut into equal-count bins; mean predicted vs observed rate per bin.</summary>
    public static IReadOnlyList<CalibrationBin> Reliability(IReadOnlyList<double> probabilities, IReadOnlyList<bool> labels, int bins = 10)
    {
        Check(probabilities, labels);
        var order = Enumerable.Range(0, labels.Count).OrderBy(i => probabilities[i]).ToArray();
        var result = new List<CalibrationBin>();
        for (int b = 0; b < bins; b++)
        {
            int from = (int)((long)order.Length * b / bins), to = (int)((long)order.Length * (b + 1) / bins);
            if (to <= from) continue;
            var idx = order[from..to];
            result.Add(new CalibrationBin(idx.Average(i => probabilities[i]), idx.Average(i => labels[i] ? 1.0 : 0.0), idx.Length));
        }
        return result;
    }

    /// <summary>Cumulative gain and lift: after contacting the top x share of rows by score, the share of all
    /// positives (or value) captured, and that share divided by x.</summary>
    public static IReadOnlyList<GainPoint> GainCurve(IReadOnlyList<double> scores, IReadOnlyList<double> gains, int points = 20)
    {
        if (scores.Count != gains.Count) throw new ArgumentException("scores and gains differ in length");
        var order = Enumerable.Range(0, scores.Count).OrderByDescending(i => scores[i]).ThenBy(i => i).ToArray();
        double total = gains.Sum();
        var result = new List<GainPoint>();
        double cum = 0; int next = 1;
        for (int i = 0; i < order.Length; i++)
        {
            cum += gains[order[i]];
            double share = (i + 1.0) / order.Length;
            if (share >= (double)next / points - 1e-12)
            {
                double captured = total > 0 ? cum / total : 0;
                result.Add(new GainPoint(share, captured, captured / share));
                next++;
            }
        }
        return result;
    }

    /// <summary>Precision-recall curve: one point per distinct score threshold, thinned to at most <paramref name="points"/> points.</summary>
    public static IReadOnlyList<PrPoint> PrecisionRecallCurve(IReadOnlyList<double> scores, IReadOnlyList<bool> labels, int points = 50)
    {
        Check(scores, labels);
        int totalPos = labels.Count(l => l);
        if (totalPos == 0) return [];
        var order = Enumerable.Range(0, scores.Count).OrderByDescending(i => scores[i]).ToArray();
        var all = new List<PrPoint>();
        int tp = 0, seen = 0;
        for (int i = 0; i < order.Length;)
        {
            int j = i;
            while (j + 1 < order.Length && scores[order[j + 1]] == scores[order[i]]) j++;
            for (int k = i; k <= j; k++) { if (labels[order[k]]) tp++; seen++; }
            all.Add(new PrPoint((double)tp / totalPos, (double)tp / seen));
            i = j + 1;
        }
        int step = Math.Max(1, all.Count / points);
        return all.Where((_, i) => i % step == 0 || i == all.Count - 1).ToList();
    }

    static void Check<T>(IReadOnlyList<double> a, IReadOnlyList<T> b)
    {
        if (a.Count != b.Count) throw new ArgumentException($"{a.Count} scores for {b.Count} labels.");
        if (a.Count == 0) throw new ArgumentException("No rows to evaluate.");
    }
}

public sealed record CalibrationBin(double MeanPredicted, double ObservedRate, int Count);
public sealed record PrPoint(double Recall, double Precision);
public sealed record GainPoint(double ShareContacted, double ShareCaptured, double Lift);
