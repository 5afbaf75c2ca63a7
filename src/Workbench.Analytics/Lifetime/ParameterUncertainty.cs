namespace Workbench.Analytics.Lifetime;

/// <summary>Parameter uncertainty of a maximum-likelihood fit: draws from the asymptotic normal distribution of the
/// log-parameters (covariance from the inverse Hessian, carried to the log scale by the delta method, so every draw is
/// positive), and percentile intervals of any quantity computed per draw.</summary>
public static class ParameterUncertainty
{
    /// <summary><paramref name="draws"/> natural-scale parameter vectors, or none when the fit has no covariance (a
    /// Hessian that was not positive definite: a degenerate fit, whose uncertainty the curvature does not describe).</summary>
    public static IReadOnlyList<double[]> Draw(MaximumLikelihoodFit fit, int draws, Random random)
    {
        ArgumentNullException.ThrowIfNull(fit);
        ArgumentNullException.ThrowIfNull(random);
        if (fit.Covariance is not { } cov || draws <= 0) return [];
        int k = fit.Values.Count;
        var logCov = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(k, k, (i, j) => cov[i][j] / (fit.Values[i] * fit.Values[j]));
        MathNet.Numerics.LinearAlgebra.Matrix<double> chol;
        try { chol = logCov.Cholesky().Factor; }
        catch (ArgumentException) { return []; }
        var result = new double[draws][];
        var z = new double[k];
        for (int d = 0; d < draws; d++)
        {
            for (int i = 0; i < k; i++) z[i] = MathNet.Numerics.Distributions.Normal.Sample(random, 0, 1);
            var p = new double[k];
            for (int i = 0; i < k; i++)
            {
                double s = 0;
                for (int j = 0; j <= i; j++) s += chol[i, j] * z[j];
                p[i] = fit.Values[i] * Math.Exp(s);
            }
            result[d] = p;
        }
        return result;
    }

    /// <summary>The (1 - level)/2 and (1 + level)/2 empirical quantiles of the finite values (linear interpolation);
    /// null when fewer than 10 are finite.</summary>
    public static (double Low, double High)? Interval(IEnumerable<double> values, double level)
    {
        var v = values.Where(double.IsFinite).ToArray();
        if (v.Length < 10) return null;
        Array.Sort(v);
        return (Quantile(v, (1 - level) / 2), Quantile(v, (1 + level) / 2));
    }

    static double Quantile(double[] sorted, double q)
    {
        double pos = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(pos), hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}

/// <summary>Why a fit should not be trusted: parameters at the optimizer's bounds (the likelihood keeps improving
/// toward a limit the model cannot reach, e.g. a Poisson limit with r and alpha running off to infinity) or a Hessian
/// that is not positive definite (no standard errors).</summary>
public static class FitDiagnostics
{
    /// <summary>Plain-language problems of <paramref name="fit"/> (empty: none found).</summary>
    public static IReadOnlyList<string> Problems(MaximumLikelihoodFit fit)
    {
        var problems = new List<string>();
        var atBound = Enumerable.Range(0, fit.Values.Count)
            .Where(i => Math.Abs(Math.Log(fit.Values[i])) >= MaximumLikelihood.LogBound - 0.5).Select(i => fit.Names[i]).ToList();
        if (atBound.Count > 0)
            problems.Add($"{string.Join(" and ", atBound)} ran to the optimizer's bound ({string.Join(", ", atBound.Select(n => $"{n} = {fit[n]:G4}"))}): " +
                "the likelihood improves toward a limit the model cannot reach");
        if (fit.StandardErrors.Any(s => !double.IsFinite(s)))
            problems.Add("the Hessian is not positive definite at the optimum, so there are no standard errors");
        return problems;
    }
}
