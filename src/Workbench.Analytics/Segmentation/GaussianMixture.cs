namespace Workbench.Analytics.Segmentation;

/// <summary>Shape of each component's covariance matrix.</summary>
public enum CovarianceType
{
    /// <summary>A full d x d covariance per component: d(d+1)/2 parameters each.</summary>
    Full,
    /// <summary>Independent features within a component: d variances each.</summary>
    Diagonal,
}

/// <summary>Options for a Gaussian mixture fitted by expectation-maximisation.</summary>
public sealed record GaussianMixtureOptions(int K)
{
    public CovarianceType Covariance { get; init; } = CovarianceType.Full;
    public int MaxIterations { get; init; } = 200;
    /// <summary>Stop when the mean log-likelihood per row improves by less than this.</summary>
    public double Tolerance { get; init; } = 1e-4;
    /// <summary>Added to every covariance diagonal so components never collapse onto a point.</summary>
    public double Regularization { get; init; } = 1e-6;
    /// <summary>Restarts, each initialised from a seeded k-means++ K-Means; the best likelihood wins.</summary>
    public int NInit { get; init; } = 1;
    public int Seed { get; init; }

    internal void Validate(int rows)
    {
        if (K < 1 || K > rows) throw new OptionsValidationException($"GaussianMixture K must be in 1..{rows}, got {K}.");
        if (MaxIterations < 1) throw new OptionsValidationException($"GaussianMixture MaxIterations must be >= 1, got {MaxIterations}.");
        if (!(Tolerance >= 0)) throw new OptionsValidationException($"GaussianMixture Tolerance must be >= 0, got {Tolerance}.");
        if (!(Regularization >= 0)) throw new OptionsValidationException($"GaussianMixture Regularization must be >= 0, got {Regularization}.");
        if (NInit < 1) throw new OptionsValidationException($"GaussianMixture NInit must be >= 1, got {NInit}.");
    }
}

/// <summary>A fitted Gaussian mixture.</summary>
public sealed class GaussianMixtureModel
{
    public CovarianceType Covariance { get; }
    public double[] Weights { get; }
    public double[][] Means { get; }
    /// <summary>Per component a d x d covariance (row-major; off-diagonal zero for <see cref="CovarianceType.Diagonal"/>).</summary>
    public double[][] Covariances { get; }
    /// <summary>Total log-likelihood of the training rows.</summary>
    public double LogLikelihood { get; }
    /// <summary>Number of free parameters: k-1 weights, k*d means, and k*d(d+1)/2 (full) or k*d (diagonal) covariance terms.</summary>
    public int ParameterCount { get; }
    /// <summary>Bayesian information criterion, -2 log L + p ln n (lower is better).</summary>
    public double Bic { get; }
    /// <summary>Akaike information criterion, -2 log L + 2p (lower is better).</summary>
    public double Aic { get; }
    /// <summary>Most probable component of each training row.</summary>
    public int[] Labels { get; }
    public int Iterations { get; }
    public bool Converged { get; }
    public int K => Weights.Length;

    internal readonly double[][] Cholesky; // lower-triangular factor of each covariance
    internal GaussianMixtureModel(CovarianceType cov, double[] w, double[][] mu, double[][] sigma, double[][] chol, double ll, int p, int n, int[] labels, int iterations, bool converged)
    {
        Covariance = cov; Weights = w; Means = mu; Covariances = sigma; Cholesky = chol; LogLikelihood = ll; ParameterCount = p;
        Bic = -2 * ll + p * Math.Log(n); Aic = -2 * ll + 2 * p; Labels = labels; Iterations = iterations; Converged = converged;
    }

    /// <summary>Posterior component probabilities for each row (rows x K).</summary>
    public double[][] PredictProbabilities(FeatureMatrix x)
    {
        var resp = new double[x.Rows][];
        for (int i = 0; i < x.Rows; i++) { resp[i] = new double[K]; GaussianMixture.RowLogResponsibilities(this.Weights, Means, Cholesky, x.Values.AsSpan(i * x.Columns, x.Columns), resp[i]); }
        return resp;
    }

    /// <summary>Most probable component for each row.</summary>
    public int[] Predict(FeatureMatrix x) => PredictProbabilities(x).Select(GaussianMixture.ArgMax).ToArray();
}

/// <summary>Gaussian mixture models by EM, initialised from seeded K-Means (k-means++).</summary>
public static class GaussianMixture
{
    /// <summary>Fits a full-covariance mixture with default options.</summary>
    public static GaussianMixtureModel Fit(FeatureMatrix x, int k, int seed) => Fit(x, new GaussianMixtureOptions(k) { Seed = seed });

    public static GaussianMixtureModel Fit(FeatureMatrix x, GaussianMixtureOptions options)
    {
        options.Validate(x.Rows);
        GaussianMixtureModel? best = null;
        for (int r = 0; r < options.NInit; r++)
        {
            var km = KMeans.Fit(x, new KMeansOptions(options.K) { NInit = 1, MaxIterations = 100, Seed = RunContext.DeriveSeed(options.Seed, "gmm-init-" + r) });
            var m = FitFrom(x, km.Labels, options);
            if (best is null || m.LogLikelihood > best.LogLikelihood) best = m;
        }
        return best!;
    }

    static GaussianMixtureModel FitFrom(FeatureMatrix x, int[] initLabels, GaussianMixtureOptions o)
    {
        int n = x.Rows, d = x.Columns, k = o.K;
        var resp = new double[n * k];
        for (int i = 0; i < n; i++) resp[i * k + initLabels[i]] = 1;
        var w = new double[k]; var mu = new double[k][]; var sigma = new double[k][]; var chol = new double[k][];
        double prevMean = double.NegativeInfinity, ll = 0;
        int it = 0; bool converged = false;
        var logR = new double[k];
        while (true)
        {
            MStep(x, resp, k, o, w, mu, sigma, chol);
            if (it >= o.MaxIterations) break;
            it++;
            // E-step: log responsibilities per row, log-likelihood summed in row order (deterministic).
            ll = 0;
            for (int i = 0; i < n; i++)
            {
                double lse = RowLogResponsibilities(w, mu, chol, x.Values.AsSpan(i * d, d), logR, normalise: false);
                ll += lse;
                for (int c = 0; c < k; c++) resp[i * k + c] = Math.Exp(logR[c] - lse);
            }
            double mean = ll / n;
            if (Math.Abs(mean - prevMean) < o.Tolerance) { converged = true; MStep(x, resp, k, o, w, mu, sigma, chol); break; }
            prevMean = mean;
        }
        // Final log-likelihood and labels under the final parameters.
        ll = 0;
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            ll += RowLogResponsibilities(w, mu, chol, x.Values.AsSpan(i * d, d), logR, normalise: false);
            labels[i] = ArgMax(logR);
        }
        int p = (k - 1) + k * d + (o.Covariance == CovarianceType.Full ? k * d * (d + 1) / 2 : k * d);
        return new GaussianMixtureModel(o.Covariance, w, mu, sigma, chol, ll, p, n, labels, it, converged);
    }

    static void MStep(FeatureMatrix x, double[] resp, int k, GaussianMixtureOptions o, double[] w, double[][] mu, double[][] sigma, double[][] chol)
    {
        int n = x.Rows, d = x.Columns;
        var v = x.Values;
        for (int c = 0; c < k; c++)
        {
            double nk = 10 * double.Epsilon;
            var m = new double[d];
            for (int i = 0; i < n; i++) { double r = resp[i * k + c]; if (r == 0) continue; nk += r; for (int j = 0; j < d; j++) m[j] += r * v[i * d + j]; }
            for (int j = 0; j < d; j++) m[j] /= nk;
            var s = new double[d * d];
            var diff = new double[d];
            for (int i = 0; i < n; i++)
            {
                double r = resp[i * k + c]; if (r == 0) continue;
                for (int j = 0; j < d; j++) diff[j] = v[i * d + j] - m[j];
                if (o.Covariance == CovarianceType.Full)
                    for (int a = 0; a < d; a++) { double ra = r * diff[a]; for (int b = 0; b <= a; b++) s[a * d + b] += ra * diff[b]; }
                else
                    for (int a = 0; a < d; a++) s[a * d + a] += r * diff[a] * diff[a];
            }
            for (int a = 0; a < d; a++)
            {
                for (int b = 0; b <= a; b++) { s[a * d + b] /= nk; s[b * d + a] = s[a * d + b]; }
                s[a * d + a] += o.Regularization;
            }
            w[c] = nk / n; mu[c] = m; sigma[c] = s;
            chol[c] = CholeskyLower(s, d) ?? throw new WorkbenchException($"Gaussian mixture component {c} has a singular covariance; raise Regularization (now {o.Regularization.ToString(RunContext.Culture)}) or scale the features.");
        }
    }

    /// <summary>Fills <paramref name="logR"/> with log(w_c) + log N(x | mu_c, Sigma_c) (or normalised responsibilities
    /// when <paramref name="normalise"/>) and returns log sum_c exp(.) = log p(x).</summary>
    internal static double RowLogResponsibilities(double[] w, double[][] mu, double[][] chol, ReadOnlySpan<double> xi, double[] logR, bool normalise = true)
    {
        int k = w.Length, d = xi.Length;
        Span<double> z = stackalloc double[d];
        double max = double.NegativeInfinity;
        for (int c = 0; c < k; c++)
        {
            var L = chol[c];
            double logDet = 0, maha = 0;
            // Solve L z = (x - mu) by forward substitution; ||z||^2 is the Mahalanobis distance.
            for (int a = 0; a < d; a++)
            {
                double s = xi[a] - mu[c][a];
                for (int b = 0; b < a; b++) s -= L[a * d + b] * z[b];
                z[a] = s / L[a * d + a];
                maha += z[a] * z[a];
                logDet += Math.Log(L[a * d + a]);
            }
            logR[c] = Math.Log(w[c]) - 0.5 * (d * Math.Log(2 * Math.PI) + maha) - logDet;
            if (logR[c] > max) max = logR[c];
        }
        double sum = 0;
        for (int c = 0; c < k; c++) sum += Math.Exp(logR[c] - max);
        double lse = max + Math.Log(sum);
        if (normalise) for (int c = 0; c < k; c++) logR[c] = Math.Exp(logR[c] - lse);
        return lse;
    }

    static double[]? CholeskyLower(double[] a, int d)
    {
        var l = new double[d * d];
        for (int i = 0; i < d; i++)
            for (int j = 0; j <= i; j++)
            {
                double s = a[i * d + j];
                for (int q = 0; q < j; q++) s -= l[i * d + q] * l[j * d + q];
                if (i == j) { if (!(s > 0)) return null; l[i * d + i] = Math.Sqrt(s); }
                else l[i * d + j] = s / l[j * d + j];
            }
        return l;
    }

    internal static int ArgMax(double[] v)
    {
        int a = 0;
        for (int i = 1; i < v.Length; i++) if (v[i] > v[a]) a = i;
        return a;
    }
}
