using MathNet.Numerics;

namespace Workbench.Analytics.Lifetime;

/// <summary>Special functions the lifetime models need: the Gauss hypergeometric function 2F1 (on 0 &lt;= z &lt; 1, by
/// its power series summed until the terms stop mattering) and a stable log(exp(a) + exp(b)).</summary>
internal static class LifetimeMath
{
    /// <summary>2F1(a, b; c; z) for 0 &lt;= z &lt; 1 and c &gt; 0: sum of (a)_n (b)_n / ((c)_n n!) z^n. The ratio of
    /// successive terms tends to z, so the series converges geometrically; summing stops when a term is below 1e-15 of
    /// the sum (and the ratio has settled below one).</summary>
    public static double Hyp2F1(double a, double b, double c, double z)
    {
        if (z < 0 || z >= 1 || double.IsNaN(z)) throw new ArgumentOutOfRangeException(nameof(z), z, "2F1 is summed on 0 <= z < 1.");
        if (z == 0) return 1;
        double term = 1, sum = 1;
        for (int n = 0; n < 1_000_000; n++)
        {
            term *= (a + n) * (b + n) / ((c + n) * (n + 1)) * z;
            sum += term;
            if (Math.Abs(term) <= 1e-15 * Math.Abs(sum) && (a + n + 1) * (b + n + 1) / ((c + n + 1) * (n + 2)) * z < 1) return sum;
            if (double.IsInfinity(sum) || double.IsNaN(sum)) return sum;
        }
        return sum;
    }

    public static double LogAddExp(double a, double b)
    {
        if (double.IsNegativeInfinity(a)) return b;
        if (double.IsNegativeInfinity(b)) return a;
        var m = Math.Max(a, b);
        return m + Math.Log(Math.Exp(a - m) + Math.Exp(b - m));
    }

    /// <summary>log(exp(a) - exp(b)) for a &gt;= b.</summary>
    public static double LogSubExp(double a, double b)
    {
        if (double.IsNegativeInfinity(b)) return a;
        return a + Math.Log(-double.ExpM1(b - a) is var d && d > 0 ? d : double.Epsilon);
    }

    public static double LnGamma(double x) => SpecialFunctions.GammaLn(x);

    public static double LnBeta(double a, double b) => SpecialFunctions.BetaLn(a, b);

    /// <summary>Spearman rank correlation (average ranks for ties).</summary>
    public static double Spearman(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count) throw new ArgumentException("Spearman needs two series of the same length.");
        if (x.Count < 2) return double.NaN;
        return MathNet.Numerics.Statistics.Correlation.Spearman(x, y);
    }
}
