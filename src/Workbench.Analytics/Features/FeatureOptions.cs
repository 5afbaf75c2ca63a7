namespace Workbench.Analytics.Features;

/// <summary>What to do with a missing observation (no usage reported, no survey answered, unknown headcount).</summary>
public enum MissingValuePolicy
{
    /// <summary>Leave NaN: tree models route missing values on their own.</summary>
    KeepNaN,
    /// <summary>Replace with the median of the same as-of date and add a 0/1 "&lt;name&gt;_missing" column.</summary>
    MedianWithIndicator,
}

/// <summary>How heavy-tailed money columns enter models.</summary>
public enum SpendScale { Raw, Log1p }

public sealed record FeatureOptions
{
    public MissingValuePolicy Missing { get; init; } = MissingValuePolicy.KeepNaN;
    public SpendScale SpendScale { get; init; } = SpendScale.Raw;
    /// <summary>Clip every numeric column to its [q, 1-q] quantiles within each as-of date (cross-sectional,
    /// so it reads nothing from other dates). Null: no clipping.</summary>
    public double? WinsorizeQuantile { get; init; }

    /// <summary>Whether every row's features read that row's account alone (no winsorizing, no median imputation, which read
    /// the whole as-of date's column): only then do the features of a partition of accounts equal the whole dataset's rows.</summary>
    public bool IsRowLocal => FeaturePostprocessing.IsRowLocal(this);

    public void Validate()
    {
        if (WinsorizeQuantile is double q && (q <= 0 || q >= 0.5))
            throw new OptionsValidationException($"WinsorizeQuantile must be in (0, 0.5), got {q}.");
    }
}
