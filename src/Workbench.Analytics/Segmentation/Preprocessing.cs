using MathNet.Numerics.LinearAlgebra;

namespace Workbench.Analytics.Segmentation;

/// <summary>How each column is centred and scaled before clustering.</summary>
public enum ScalingMethod
{
    /// <summary>Leave values as they are.</summary>
    None,
    /// <summary>(x - mean) / standard deviation (population sd).</summary>
    Standard,
    /// <summary>(x - median) / interquartile range: resistant to outliers and heavy spend tails.</summary>
    Robust,
}

/// <summary>A fitted per-column transform: optional log1p on named columns, then centre/scale.
/// Fit on one matrix, apply to others (e.g. new accounts) with <see cref="Transform"/>.</summary>
public sealed class FittedScaler
{
    public ScalingMethod Method { get; }
    public IReadOnlyList<string> ColumnNames { get; }
    /// <summary>Columns that get log1p(x) before centring (spend-like, right-skewed, non-negative).</summary>
    public IReadOnlySet<string> Log1pColumns { get; }
    public IReadOnlyList<double> Centers { get; }
    public IReadOnlyList<double> Scales { get; }

    internal FittedScaler(ScalingMethod method, IReadOnlyList<string> names, IReadOnlySet<string> log1p, double[] centers, double[] scales)
    { Method = method; ColumnNames = names; Log1pColumns = log1p; Centers = centers; Scales = scales; }

    /// <summary>Applies log1p (where configured) then (x - center) / scale.</summary>
    public FeatureMatrix Transform(FeatureMatrix x)
    {
        if (!x.ColumnNames.SequenceEqual(ColumnNames))
            throw new OptionsValidationException($"Scaler was fitted on columns [{string.Join(", ", ColumnNames)}] but got [{string.Join(", ", x.ColumnNames)}].");
        var logged = Scaling.ApplyLog1p(x, Log1pColumns);
        var v = (double[])logged.Values.Clone();
        int d = x.Columns;
        for (int i = 0; i < x.Rows; i++)
            for (int j = 0; j < d; j++) v[i * d + j] = (v[i * d + j] - Centers[j]) / Scales[j];
        return FeatureMatrix.Wrap(v, x.Rows, x.ColumnNames);
    }
}

/// <summary>Scaling and log transforms for clustering inputs.</summary>
public static class Scaling
{
    /// <summary>Fits a scaler. Columns named in <paramref name="log1pColumns"/> must be &gt;= 0 (spend, counts).
    /// A constant column gets scale 1 so it becomes all zeros instead of NaN.</summary>
    public static FittedScaler Fit(FeatureMatrix x, ScalingMethod method, IEnumerable<string>? log1pColumns = null)
    {
        var log = new HashSet<string>(log1pColumns ?? [], StringComparer.Ordinal);
        foreach (var name in log) x.ColumnIndex(name); // validates names
        var logged = ApplyLog1p(x, log);
        int d = x.Columns;
        var centers = new double[d];
        var scales = new double[d];
        for (int j = 0; j < d; j++)
        {
            var col = logged.Column(j);
            switch (method)
            {
                case ScalingMethod.None: centers[j] = 0; scales[j] = 1; break;
                case ScalingMethod.Standard:
                    centers[j] = col.Average();
                    scales[j] = Math.Sqrt(col.Sum(v => (v - centers[j]) * (v - centers[j])) / col.Length);
                    break;
                case ScalingMethod.Robust:
                    Array.Sort(col);
                    centers[j] = Quantile(col, 0.5);
                    scales[j] = Quantile(col, 0.75) - Quantile(col, 0.25);
                    break;
                default: throw new OptionsValidationException($"Unknown scaling method {method}.");
            }
            if (!(scales[j] > 1e-12)) scales[j] = 1.0;
        }
        return new FittedScaler(method, x.ColumnNames.ToArray(), log, centers, scales);
    }

    /// <summary>Fits and transforms in one call.</summary>
    public static FeatureMatrix FitTransform(FeatureMatrix x, ScalingMethod method, IEnumerable<string>? log1pColumns = null)
        => Fit(x, method, log1pColumns).Transform(x);

    internal static FeatureMatrix ApplyLog1p(FeatureMatrix x, IReadOnlySet<string> columns)
    {
        if (columns.Count == 0) return x;
        var v = (double[])x.Values.Clone();
        int d = x.Columns;
        foreach (var name in columns)
        {
            int j = x.ColumnIndex(name);
            for (int i = 0; i < x.Rows; i++)
            {
                double value = v[i * d + j];
                if (value < 0) throw new OptionsValidationException($"log1p column '{name}', row {i}: value {value.ToString(RunContext.Culture)} is negative; log1p expects spend-like values >= 0.");
                v[i * d + j] = Math.Log(1 + value);
            }
        }
        return FeatureMatrix.Wrap(v, x.Rows, x.ColumnNames);
    }

    /// <summary>Linear-interpolated quantile of sorted values (same rule as numpy's default).</summary>
    internal static double Quantile(double[] sorted, double q)
    {
        double pos = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(pos);
        int hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}

/// <summary>A fitted principal component analysis.</summary>
public sealed class PcaResult
{
    /// <summary>Column means subtracted before projection.</summary>
    public IReadOnlyList<double> Means { get; }
    /// <summary>Principal axes, one row per component (unit vectors in input space), largest variance first.</summary>
    public double[][] Components { get; }
    /// <summary>Variance along each component (divisor n - 1).</summary>
    public IReadOnlyList<double> ExplainedVariance { get; }
    /// <summary>Share of total variance per component (sums to 1 over all components).</summary>
    public IReadOnlyList<double> ExplainedVarianceRatio { get; }
    public IReadOnlyList<string> InputColumns { get; }

    internal PcaResult(double[] means, double[][] components, double[] variance, double[] ratio, IReadOnlyList<string> inputColumns)
    { Means = means; Components = components; ExplainedVariance = variance; ExplainedVarianceRatio = ratio; InputColumns = inputColumns; }

    /// <summary>Projects rows onto the first <paramref name="components"/> axes (all by default).</summary>
    public FeatureMatrix Transform(FeatureMatrix x, int? components = null)
    {
        int m = components ?? Components.Length;
        if (m < 1 || m > Components.Length) throw new OptionsValidationException($"components must be in 1..{Components.Length}, got {m}.");
        if (x.Columns != Means.Count) throw new OptionsValidationException($"PCA was fitted on {Means.Count} columns, got {x.Columns}.");
        int d = x.Columns;
        var v = new double[x.Rows * m];
        for (int i = 0; i < x.Rows; i++)
            for (int c = 0; c < m; c++)
            {
                double s = 0;
                for (int j = 0; j < d; j++) s += (x.Values[i * d + j] - Means[j]) * Components[c][j];
                v[i * m + c] = s;
            }
        return FeatureMatrix.Wrap(v, x.Rows, Enumerable.Range(1, m).Select(c => "PC" + c).ToArray());
    }
}

/// <summary>Principal component analysis through the singular value decomposition of the centred data.</summary>
public static class Pca
{
    /// <summary>Fits PCA. Component signs are fixed so the largest-magnitude loading is positive (deterministic).</summary>
    public static PcaResult Fit(FeatureMatrix x)
    {
        if (x.Rows < 2) throw new OptionsValidationException("PCA needs at least 2 rows.");
        int n = x.Rows, d = x.Columns;
        var means = new double[d];
        for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) means[j] += x.Values[i * d + j];
        for (int j = 0; j < d; j++) means[j] /= n;
        // Covariance via X^T X (d x d) then symmetric EVD: cheap for tall matrices (n >> d).
        var cov = Matrix<double>.Build.Dense(d, d);
        var row = new double[d];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++) row[j] = x.Values[i * d + j] - means[j];
            for (int a = 0; a < d; a++) for (int b = a; b < d; b++) cov[a, b] += row[a] * row[b];
        }
        for (int a = 0; a < d; a++) for (int b = a; b < d; b++) { cov[a, b] /= n - 1; cov[b, a] = cov[a, b]; }
        var evd = cov.Evd(Symmetricity.Symmetric);
        var order = Enumerable.Range(0, d).OrderByDescending(k => evd.EigenValues[k].Real).ToArray();
        var variance = order.Select(k => Math.Max(0, evd.EigenValues[k].Real)).ToArray();
        double total = variance.Sum();
        var ratio = variance.Select(v => total > 0 ? v / total : 0).ToArray();
        var comps = order.Select(k =>
        {
            var vec = evd.EigenVectors.Column(k).ToArray();
            int arg = 0;
            for (int j = 1; j < d; j++) if (Math.Abs(vec[j]) > Math.Abs(vec[arg])) arg = j;
            if (vec[arg] < 0) for (int j = 0; j < d; j++) vec[j] = -vec[j];
            return vec;
        }).ToArray();
        return new PcaResult(means, comps, variance, ratio, x.ColumnNames.ToArray());
    }
}
