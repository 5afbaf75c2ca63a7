namespace Workbench.Analytics.Ranking;

/// <summary>The test-month probabilities of one target next to what happened: the data behind a score-distribution
/// chart (do positives get higher scores than negatives, and how much do the two overlap).</summary>
public sealed record ScoredOutcomes(PropensityTarget Target, IReadOnlyList<double> Scores, IReadOnlyList<bool> Positive)
{
    /// <summary>Scores of the test rows of <paramref name="result"/> for <paramref name="target"/> (churn or upsell),
    /// matched to their labels in <paramref name="labeled"/> by account, product and as-of date.</summary>
    public static ScoredOutcomes Of(RankingResult result, LabeledFeatures labeled, Outcome target)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(labeled);
        if (target == Outcome.Flat) throw new OptionsValidationException("Scores exist for churn and upsell only, not for flat.");
        var table = labeled.Features;
        var outcomeOf = new Dictionary<(string, string, DateOnly), Outcome>();
        for (int i = 0; i < table.RowCount; i++) outcomeOf[(table.AccountId(i), table.ProductId(i), table.AsOf(i))] = labeled.Labels[i].Outcome;
        var scores = new List<double>(result.Products.Count);
        var positive = new List<bool>(result.Products.Count);
        foreach (var p in result.Products)
        {
            if (!outcomeOf.TryGetValue((p.AccountId, p.ProductId, p.AsOf), out var outcome))
                throw new WorkbenchException($"Scored row {p.AccountId}/{p.ProductId} at {p.AsOf:yyyy-MM-dd} has no label: the ranking result and the labeled features come from different runs.");
            scores.Add(target == Outcome.Churn ? p.PChurn : p.PUpsell);
            positive.Add(outcome == target);
        }
        return new ScoredOutcomes(target == Outcome.Churn ? PropensityTarget.Churn : PropensityTarget.Upsell, scores, positive);
    }
}
