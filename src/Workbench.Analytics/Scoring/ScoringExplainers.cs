using Workbench.Analytics.Explanation;

namespace Workbench.Analytics.Scoring;

/// <summary>
/// The two explainers batch scoring tells its narratives with (churn, then upsell), built on one thread of their own from
/// the moment the model is read. Building one reads only the model and its training rows (node covers, leaf weight
/// tables, the population's sorted columns), so it runs while the data is loaded and the features are built, which
/// leave a core partly idle, instead of at the start of the explaining stage (docs/scale.md, scorefast4). The explainers
/// are the same objects <see cref="BatchScorer"/> builds when it is given none, so every narrative is the same.
/// </summary>
public sealed class ScoringExplainers
{
    readonly Task<AccountExplainer> _churn, _upsell;

    /// <summary>The models and narrative options the explainers were built for (checked by <see cref="BatchScorer.Score"/>).</summary>
    public ScoringModels Models { get; }
    public NarrativeOptions? Narratives { get; }

    ScoringExplainers(ScoringModels models, NarrativeOptions? narratives)
    {
        Models = models;
        Narratives = narratives;
        // One dedicated thread (not a pool thread the loading's parallel loops want), churn first as the book explains it first.
        _churn = Task.Factory.StartNew(() => new AccountExplainer(models.Churn, models.ChurnBackground, narratives, NarrativeAudience.Rep),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        _upsell = _churn.ContinueWith(_ => new AccountExplainer(models.Upsell, models.UpsellBackground, narratives, NarrativeAudience.Rep),
            CancellationToken.None, TaskContinuationOptions.LongRunning, TaskScheduler.Default);
        // A failure is raised where the explainer is used; an explainer never used (no account with that focus, or a
        // scoring that failed earlier) must not leave an unobserved exception behind.
        foreach (var t in new[] { _churn, _upsell })
            t.ContinueWith(f => _ = f.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Starts building both explainers of <paramref name="models"/> with <paramref name="narratives"/> in the background.</summary>
    public static ScoringExplainers Start(ScoringModels models, NarrativeOptions? narratives)
    {
        ArgumentNullException.ThrowIfNull(models);
        narratives?.Validate();
        return new ScoringExplainers(models, narratives);
    }

    /// <summary>The churn explainer, waiting for it if it is still being built; its construction's failure is thrown as itself.</summary>
    public AccountExplainer Churn => _churn.GetAwaiter().GetResult();
    /// <summary>The upsell explainer, likewise.</summary>
    public AccountExplainer Upsell => _upsell.GetAwaiter().GetResult();
}
