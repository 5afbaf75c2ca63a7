namespace Workbench.Analytics.Explanation;

/// <summary>
/// Exact SHAP values of a linear model (the logistic-regression propensity model) in its link (log-odds) space:
/// with features treated as independent, the Shapley value of feature j is <c>w_j * (x_j - E[x_j])</c>, and the
/// expected value is the model's margin at the background mean (Lundberg &amp; Lee 2017, "linear SHAP").
/// The effective weights <c>w_j</c> (through the model's mean imputation and standardization, which are affine) are
/// read off the model itself: one batch of probe rows, the background mean and that mean moved by one standard
/// deviation along each feature. A missing value is imputed by the model with the training mean, so its contribution
/// is the model's own margin change for a missing value at that feature (zero when the background is the training data).
/// Local accuracy holds up to single-precision rounding: <c>ExpectedValue + sum(phi) == margin</c>.
/// </summary>
public sealed class LinearShap
{
    readonly PropensityModel _model;
    readonly double[] _mean, _weight, _missing;
    readonly IReadOnlyList<string> _names;

    /// <summary>The model's margin at the background mean (the SHAP base value).</summary>
    public double ExpectedValue { get; }

    /// <summary>The effective weight of each feature on the raw margin, per unit of the feature.</summary>
    public IReadOnlyList<double> Weights => _weight;

    /// <param name="model">A linear (logistic regression) propensity model.</param>
    /// <param name="background">The rows whose mean is the baseline (the training rows).</param>
    public LinearShap(PropensityModel model, TrainingSet background)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(background);
        if (model.TreeModel is not null) throw new ArgumentException($"The {model.Target} model is a tree model; use TreeSHAP.", nameof(model));
        if (background.RowCount == 0) throw new WorkbenchException($"No background rows to explain the {model.Target} model against.");
        model.CheckSchema(background.FeatureNames, "the background rows");
        _model = model;
        _names = background.FeatureNames;
        int p = background.ColumnCount;
        _mean = new double[p];
        var sd = new double[p];
        for (int j = 0; j < p; j++)
        {
            double sum = 0, sq = 0; int n = 0;
            for (int i = 0; i < background.RowCount; i++)
            {
                double v = background.Values[i * p + j];
                if (double.IsNaN(v)) continue;
                sum += v; sq += v * v; n++;
            }
            _mean[j] = n > 0 ? sum / n : 0;
            sd[j] = n > 1 ? Math.Sqrt(Math.Max(0, sq / n - _mean[j] * _mean[j])) : 0;
        }
        // Probe rows: [mean], [mean + step_j e_j] for each j, [mean with NaN at j] for each j.
        var probe = new float[(2 * p + 1) * p];
        for (int r = 0; r < 2 * p + 1; r++)
            for (int j = 0; j < p; j++) probe[r * p + j] = (float)_mean[j];
        var step = new double[p];
        for (int j = 0; j < p; j++)
        {
            step[j] = sd[j] > 0 ? sd[j] : 1.0;
            float moved = (float)(_mean[j] + step[j]);
            step[j] = moved - (float)_mean[j]; // the step the model actually sees, in single precision
            probe[(1 + j) * p + j] = moved;
            probe[(1 + p + j) * p + j] = float.NaN;
        }
        var raw = model.Score(new TrainingSet(probe, _names, new bool[2 * p + 1]), "the linear SHAP probe rows").Raw;
        ExpectedValue = raw[0];
        _weight = new double[p];
        _missing = new double[p];
        for (int j = 0; j < p; j++)
        {
            _weight[j] = step[j] != 0 ? (raw[1 + j] - raw[0]) / step[j] : 0;
            _missing[j] = raw[1 + p + j] - raw[0];
        }
    }

    /// <summary>SHAP values of many rows (each of the model's feature count), with the model's own margins.</summary>
    public ShapBatch Explain(IReadOnlyList<float[]> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        int p = _mean.Length;
        var flat = new float[rows.Count * p];
        for (int i = 0; i < rows.Count; i++)
        {
            if (rows[i].Length != p) throw new ArgumentException($"Row {i} has {rows[i].Length} values; the model has {p} features.", nameof(rows));
            rows[i].CopyTo(flat, i * p);
        }
        var margins = rows.Count == 0 ? [] : _model.Score(new TrainingSet(flat, _names, new bool[rows.Count]), "the explained rows").Raw;
        var values = new double[rows.Count * p];
        for (int i = 0; i < rows.Count; i++)
            for (int j = 0; j < p; j++)
            {
                double x = flat[i * p + j];
                values[i * p + j] = double.IsNaN(x) ? _missing[j] : _weight[j] * (x - _mean[j]);
            }
        return new ShapBatch(values, margins, rows.Count, p, _names, ExpectedValue);
    }
}
