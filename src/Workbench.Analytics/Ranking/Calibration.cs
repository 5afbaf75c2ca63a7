namespace Workbench.Analytics.Ranking;

public enum CalibrationMethod { None, Platt, Isotonic }

/// <summary>Maps a model's raw score to a probability. Fitted on held-out (validation) rows, never on the rows the
/// trees were grown on, so the probabilities are honest.</summary>
public sealed record Calibrator(CalibrationMethod Method, double A, double B, double[] Thresholds, double[] Values)
{
    public double Apply(double score) => Method switch
    {
        CalibrationMethod.Platt => 1 / (1 + Math.Exp(-(A * score + B))),
        CalibrationMethod.Isotonic => Step(score),
        _ => 1 / (1 + Math.Exp(-score)),
    };

    double Step(double score)
    {
        // Piecewise-linear between block centers, flat beyond the ends (as scikit-learn's IsotonicRegression with clip).
        if (Thresholds.Length == 0) return 0.5;
        if (score <= Thresholds[0]) return Values[0];
        if (score >= Thresholds[^1]) return Values[^1];
        int i = Array.BinarySearch(Thresholds, score);
        if (i >= 0) return Values[i];
        i = ~i;
        double t = (score - Thresholds[i - 1]) / (Thresholds[i] - Thresholds[i - 1]);
        return Values[i - 1] + t * (Values[i] - Values[i - 1]);
    }

    public static Calibrator Fit(CalibrationMethod method, IReadOnlyList<double> scores, IReadOnlyList<bool> labels) => method switch
    {
        CalibrationMethod.Platt => FitPlatt(scores, labels),
        CalibrationMethod.Isotonic => FitIsotonic(scores, labels),
        _ => new Calibrator(CalibrationMethod.None, 1, 0, [], []),
    };

    /// <summary>Platt scaling with Platt's smoothed targets, fitted by Newton's method on the 2-parameter logistic.</summary>
    static Calibrator FitPlatt(IReadOnlyList<double> s, IReadOnlyList<bool> y)
    {
        int pos = y.Count(v => v), neg = y.Count - pos;
        double hi = (pos + 1.0) / (pos + 2.0), lo = 1.0 / (neg + 2.0);
        double a = 1, b = 0;
        for (int iter = 0; iter < 100; iter++)
        {
            double g1 = 0, g2 = 0, h11 = 1e-12, h12 = 0, h22 = 1e-12;
            for (int i = 0; i < s.Count; i++)
            {
                double p = 1 / (1 + Math.Exp(-(a * s[i] + b))), t = y[i] ? hi : lo, d = p - t, w = p * (1 - p);
                g1 += d * s[i]; g2 += d; h11 += w * s[i] * s[i]; h12 += w * s[i]; h22 += w;
            }
            double det = h11 * h22 - h12 * h12;
            if (Math.Abs(det) < 1e-18) break;
            double da = (h22 * g1 - h12 * g2) / det, db = (h11 * g2 - h12 * g1) / det;
            a -= da; b -= db;
            if (Math.Abs(da) + Math.Abs(db) < 1e-10) break;
        }
        return new Calibrator(CalibrationMethod.Platt, a, b, [], []);
    }

    /// <summary>Isotonic regression by pool-adjacent-violators over scores sorted ascending.</summary>
    static Calibrator FitIsotonic(IReadOnlyList<double> s, IReadOnlyList<bool> y)
    {
        var order = Enumerable.Range(0, s.Count).OrderBy(i => s[i]).ThenBy(i => i).ToArray();
        var sum = new List<double>(); var weight = new List<double>(); var xs = new List<double>();
        foreach (int i in order)
        {
            sum.Add(y[i] ? 1 : 0); weight.Add(1); xs.Add(s[i]);
            while (sum.Count > 1 && sum[^2] / weight[^2] >= sum[^1] / weight[^1])
            {
                double w = weight[^2] + weight[^1];
                xs[^2] = (xs[^2] * weight[^2] + xs[^1] * weight[^1]) / w;
                sum[^2] += sum[^1]; weight[^2] = w;
                sum.RemoveAt(sum.Count - 1); weight.RemoveAt(weight.Count - 1); xs.RemoveAt(xs.Count - 1);
            }
        }
        return new Calibrator(CalibrationMethod.Isotonic, 0, 0, xs.ToArray(), sum.Select((v, i) => v / weight[i]).ToArray());
    }
}
