namespace Workbench.Analytics.Ranking;

/// <summary>How probabilities become a rep's priorities.</summary>
public sealed record PriorityOptions
{
    /// <summary>Cumulative shares of a book graded A, B and C (the rest is D): 0.1, 0.3, 0.6 means the top 10% are A,
    /// the next 20% B, the next 30% C.</summary>
    public IReadOnlyList<double> GradeCutoffs { get; init; } = [0.1, 0.3, 0.6];
    /// <summary>Months of revenue counted as at risk when an account-product churns.</summary>
    public int RevenueAtRiskMonths { get; init; } = 12;
    /// <summary>Priority changes smaller than this share count as "steady" in the trend.</summary>
    public double TrendTolerance { get; init; } = 0.1;

    public void Validate()
    {
        if (GradeCutoffs.Count != 3 || GradeCutoffs.Any(c => c is <= 0 or >= 1) || GradeCutoffs[0] >= GradeCutoffs[1] || GradeCutoffs[1] >= GradeCutoffs[2])
            throw new OptionsValidationException($"GradeCutoffs must be three increasing shares in (0, 1), got [{string.Join(", ", GradeCutoffs)}].");
        if (RevenueAtRiskMonths is < 1 or > 60) throw new OptionsValidationException($"RevenueAtRiskMonths must be 1..60, got {RevenueAtRiskMonths}.");
        if (TrendTolerance is < 0 or > 1) throw new OptionsValidationException($"TrendTolerance must be in [0, 1], got {TrendTolerance}.");
    }
}

/// <summary>Options of the whole ranking stage.</summary>
public sealed record RankingOptions
{
    public PropensityOptions Churn { get; init; } = new();
    public PropensityOptions Upsell { get; init; } = new();
    public PriorityOptions Priority { get; init; } = new();
    /// <summary>Latest as-of months held out for evaluation.</summary>
    public int TestMonths { get; init; } = 3;
    /// <summary>Latest trainable as-of months used for early stopping and calibration.</summary>
    public int ValidationMonths { get; init; } = 2;
    /// <summary>Keep every n-th training as-of month, counted back from the latest (1 = monthly). Validation and test months
    /// are not thinned. Chosen from the recorded experiment in docs/scale.md.</summary>
    public int TrainStepMonths { get; init; } = 1;
    /// <summary>At most this many training rows per model (0 = all): above it, a seeded uniform sample of the training rows
    /// is kept (class shares unchanged, so no weights are needed). Test rows are never sampled (validation rows: <see cref="MaxValidationRows"/>). 400,000 from
    /// the recorded experiment in docs/scale.md (100,000 accounts: 0.002 AUC below all 3.5 M rows); a book below the cap
    /// (about 11,000 accounts x 36 months) trains on every row, the committed sample included.</summary>
    public int MaxTrainingRows { get; init; } = 400_000;
    /// <summary>At most this many validation rows per model (0 = all): above it, a seeded uniform sample of the validation
    /// rows is what early stopping watches and the calibrator is fitted on. Test rows are never sampled, so the evaluation
    /// is on the same rows. Chosen from the recorded experiment in docs/scale.md; a book below the cap (about 24,000
    /// accounts x 36 months at two validation months) validates on every row, the committed sample included.</summary>
    public int MaxValidationRows { get; init; } = 100_000;
    /// <summary>The k of precision@k, recall@k and NDCG@k inside each rep's book.</summary>
    public int K { get; init; } = 10;
    public int Seed { get; init; } = 42;
}

public enum Grade { A, B, C, D }
public enum Trend { New, Up, Steady, Down }
