namespace Workbench.Analytics.Segmentation;

/// <summary>Options for choosing the number of segments.</summary>
public sealed record KSelectionOptions
{
    /// <summary>Smallest k considered for a recommendation (&gt;= 2; the gap statistic still looks at k = 1).</summary>
    public int KMin { get; init; } = 2;
    public int KMax { get; init; } = 8;
    public int Seed { get; init; }
    /// <summary>K-Means restarts per k.</summary>
    public int KMeansRestarts { get; init; } = 3;
    public int GapReferences { get; init; } = 10;
    public GapReference GapReference { get; init; } = GapReference.PrincipalComponents;
    /// <summary>Also fit Gaussian mixtures per k and let BIC vote.</summary>
    public bool IncludeMixtureBic { get; init; }
    public CovarianceType MixtureCovariance { get; init; } = CovarianceType.Full;
    public int SilhouetteExactLimit { get; init; } = Silhouette.DefaultExactLimit;
    public int SilhouetteSampleSize { get; init; } = 5_000;

    internal void Validate(int rows)
    {
        if (KMin < 2) throw new OptionsValidationException($"KSelection KMin must be >= 2, got {KMin}.");
        if (KMax < KMin) throw new OptionsValidationException($"KSelection KMax ({KMax}) must be >= KMin ({KMin}).");
        if (KMax + 1 >= rows) throw new OptionsValidationException($"KSelection KMax ({KMax}) needs more than {KMax + 1} rows, got {rows}.");
    }
}

/// <summary>One criterion's opinion: the k it prefers, or null when it abstains (e.g. the gap statistic finds k = 1).</summary>
public sealed record KVote(string Criterion, int? K, string Note);

/// <summary>All k-selection data plus the recommendation.
/// Rule: each criterion nominates one k in KMin..KMax: the elbow (knee of the inertia curve over k = 1..KMax),
/// the silhouette (highest mean silhouette), the gap statistic (Tibshirani's smallest k with
/// Gap(k) &gt;= Gap(k+1) - s_{k+1}; it abstains when that k is 1 or outside the range) and, when mixtures are
/// fitted, BIC (lowest). The recommended k is the one with the most votes; ties (including all criteria
/// disagreeing) go to the candidate with the higher mean silhouette, because silhouette measures directly how
/// well separated the resulting segments are.</summary>
public sealed record KSelection(
    int[] Ks,
    double[] Inertia,
    int ElbowK,
    double[] SilhouetteMeans,
    GapResult Gap,
    double[]? MixtureBic,
    double[]? MixtureAic,
    IReadOnlyList<KVote> Votes,
    int RecommendedK,
    string Reason)
{
    /// <summary>The k of each entry of <see cref="SilhouetteMeans"/>, <see cref="MixtureBic"/> and <see cref="MixtureAic"/>
    /// (KMin..KMax); <see cref="Ks"/> (1..KMax) indexes <see cref="Inertia"/>.</summary>
    public int[] CandidateKs => Enumerable.Range(Ks.Length - SilhouetteMeans.Length + 1, SilhouetteMeans.Length).ToArray();
}

/// <summary>Chooses k by elbow, silhouette, gap statistic and (optionally) mixture BIC.</summary>
public static class KSelector
{
    public static KSelection Select(FeatureMatrix x, int seed) => Select(x, new KSelectionOptions { Seed = seed });

    public static KSelection Select(FeatureMatrix x, KSelectionOptions o, IProgress<string>? progress = null)
    {
        o.Validate(x.Rows);
        var ks = Enumerable.Range(1, o.KMax).ToArray();
        var inertia = new double[ks.Length];
        var sil = new double[o.KMax - o.KMin + 1];
        foreach (var k in ks)
        {
            progress?.Report($"k-means k={k}");
            var km = KMeans.Fit(x, new KMeansOptions(k) { NInit = o.KMeansRestarts, Seed = RunContext.DeriveSeed(o.Seed, "ksel-kmeans-" + k) });
            inertia[k - 1] = km.Inertia;
            if (k >= o.KMin)
                sil[k - o.KMin] = Silhouette.Compute(x, km.Labels, RunContext.DeriveSeed(o.Seed, "ksel-sil-" + k), o.SilhouetteExactLimit, o.SilhouetteSampleSize).Mean;
        }
        int elbow = ks[Knee.Find(ks.Select(k => (double)k).ToArray(), inertia, KneeShape.ConvexDecreasing)];
        progress?.Report("gap statistic");
        var gap = GapStatistic.Compute(x, new GapOptions { KMax = o.KMax + 1, References = o.GapReferences, Reference = o.GapReference, KMeansRestarts = o.KMeansRestarts, Seed = RunContext.DeriveSeed(o.Seed, "ksel-gap") });

        double[]? bic = null, aic = null;
        if (o.IncludeMixtureBic)
        {
            bic = new double[sil.Length]; aic = new double[sil.Length];
            for (int k = o.KMin; k <= o.KMax; k++)
            {
                progress?.Report($"gaussian mixture k={k}");
                var g = GaussianMixture.Fit(x, new GaussianMixtureOptions(k) { Covariance = o.MixtureCovariance, Seed = RunContext.DeriveSeed(o.Seed, "ksel-gmm-" + k) });
                bic[k - o.KMin] = g.Bic; aic[k - o.KMin] = g.Aic;
            }
        }

        var inv = CultureInfo.InvariantCulture;
        int silK = o.KMin + Array.IndexOf(sil, sil.Max());
        var votes = new List<KVote>
        {
            elbow >= o.KMin
                ? new KVote("elbow", elbow, $"inertia curve bends at k={elbow}")
                : new KVote("elbow", null, $"inertia curve bends at k={elbow}, below the range {o.KMin}..{o.KMax}"),
            new KVote("silhouette", silK, string.Format(inv, "highest mean silhouette {0:F3} at k={1}", sil.Max(), silK)),
            gap.ChosenK >= o.KMin && gap.ChosenK <= o.KMax
                ? new KVote("gap", gap.ChosenK, $"gap statistic's smallest k with Gap(k) >= Gap(k+1) - s(k+1) is {gap.ChosenK}")
                : new KVote("gap", null, gap.ChosenK == 1
                    ? "gap statistic finds no strong cluster structure (k=1)"
                    : $"gap statistic points to k={gap.ChosenK}, outside {o.KMin}..{o.KMax}"),
        };
        if (bic is not null)
        {
            int bicK = o.KMin + Array.IndexOf(bic, bic.Min());
            votes.Add(new KVote("BIC", bicK, $"Gaussian mixture BIC is lowest at k={bicK}"));
        }
        double Sil(int k) => sil[k - o.KMin];
        var tally = votes.Where(v => v.K is not null).GroupBy(v => v.K!.Value)
            .Select(g => (K: g.Key, Count: g.Count(), Names: g.Select(v => v.Criterion).ToArray()))
            .OrderByDescending(t => t.Count).ThenByDescending(t => Sil(t.K)).ThenBy(t => t.K).ToList();
        var top = tally[0];
        int voting = votes.Count(v => v.K is not null);
        bool tie = tally.Count > 1 && tally[1].Count == top.Count;
        var reason = string.Format(inv, "k={0}: supported by {1} ({2} of {3} voting criteria){4}; mean silhouette {5:F3}. {6}",
            top.K, string.Join(" and ", top.Names), top.Count, voting,
            tie ? ", tie broken by the higher mean silhouette" : "",
            Sil(top.K),
            string.Join("; ", votes.Select(v => $"{v.Criterion}: {v.Note}")) + ".");
        return new KSelection(ks, inertia, elbow, sil, gap, bic, aic, votes, top.K, reason);
    }
}
