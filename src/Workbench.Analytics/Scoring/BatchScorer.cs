namespace Workbench.Analytics.Scoring;

/// <summary>What a promoted model brings to scoring: both propensity models, the training rows TreeSHAP and the
/// narratives need, the expected relative size of an upsell learned in training, and the priority rules.</summary>
/// <param name="Name">The promoted name (used in messages).</param>
/// <param name="Churn">The churn propensity model.</param>
/// <param name="ChurnBackground">Training rows labeled for churn (TreeSHAP covers, narrative statistics).</param>
/// <param name="Upsell">The upsell propensity model.</param>
/// <param name="UpsellBackground">Training rows labeled for upsell.</param>
/// <param name="UpsellRatio">Mean upsell amount relative to the run-rate in training.</param>
/// <param name="Priority">Grades, revenue-at-risk months and the trend tolerance.</param>
public sealed record ScoringModels(
    string Name, PropensityModel Churn, TrainingSet ChurnBackground, PropensityModel Upsell, TrainingSet UpsellBackground,
    double UpsellRatio, PriorityOptions Priority);

/// <summary>One product of a scored account: calibrated probabilities, the money behind them and why. Only what the book
/// tells is explained: the account's top product for its focus (its churn narrative when the focus is retain, its upsell
/// narrative otherwise); the other narratives are null (TreeSHAP of every product under both models was most of the
/// scoring's CPU time and nothing showed it; <c>workbench explain</c> tells any account's full story).</summary>
public sealed record ScoredProduct(string ProductId, string ProductName, double PChurn, double PUpsell, double RunRate,
    double ExpectedUpsell, double RevenueAtRisk, Narrative? ChurnNarrative, Narrative? UpsellNarrative);

/// <summary>One line of a rep's scored book: the ranked priority, the account's products, and the narrative that
/// explains its focus (the churn narrative of the top product when the focus is <see cref="AccountFocus.Retain"/>, its upsell narrative otherwise).</summary>
public sealed record ScoredAccount(AccountPriority Priority, string AccountName, IReadOnlyList<ScoredProduct> Products, Narrative FocusNarrative)
{
    public string AccountId => Priority.AccountId;

    /// <summary>Probability that at least one of the account's products churns: 1 - prod(1 - P(churn)) over its products
    /// (products treated as independent).</summary>
    public double PAnyChurn => 1 - Products.Aggregate(1.0, (acc, p) => acc * (1 - p.PChurn));
    /// <summary>Probability that at least one of the account's products expands: 1 - prod(1 - P(upsell)).</summary>
    public double PAnyUpsell => 1 - Products.Aggregate(1.0, (acc, p) => acc * (1 - p.PUpsell));
    /// <summary>History, renewal, last activity and open opportunities (read from data before the as-of date).</summary>
    public AccountContext Context { get; init; } = AccountContext.Empty;
    /// <summary>Customer lifetime value when a lifetime model scored the account; null otherwise.</summary>
    public double? Clv { get; init; }
    /// <summary>Next best action when the actions analysis ran; null otherwise.</summary>
    public NextBestAction? NextAction { get; init; }
    /// <summary>Where the account stood in the previous scoring; null without one (or when the account is new).</summary>
    public PreviousStanding? Previous { get; init; }
}

/// <summary>A rep's scored book, ranked.</summary>
public sealed record ScoredBook(string RepId, string RepName, IReadOnlyList<ScoredAccount> Accounts)
{
    /// <summary>Counts and totals of the book (what the report's rep table shows).</summary>
    public BookSummary Summary => BookSummary.Of(Accounts);
}

/// <summary>Counts and totals over a set of scored accounts (a book, or all books); grade counts are in grade order, A first.</summary>
public sealed record BookSummary(int Accounts, IReadOnlyList<(Grade Grade, int Count)> GradeCounts, int TrendingUp, int TrendingDown,
    double TotalPriority, double RevenueAtRisk, double ExpectedUpsell)
{
    /// <summary>Total priority of the accounts in each grade, A first.</summary>
    public IReadOnlyList<(Grade Grade, double Priority)> PriorityByGrade { get; init; } = [];
    /// <summary>Value at stake by focus: revenue at risk of the "retain" accounts and expected upsell of the "expand" accounts.</summary>
    public double RetainAtRisk { get; init; }
    public double ExpandUpsell { get; init; }

    public static BookSummary Of(IReadOnlyList<ScoredAccount> accounts) => new(
        accounts.Count,
        Enum.GetValues<Grade>().Select(g => (g, accounts.Count(a => a.Priority.Grade == g))).ToList(),
        accounts.Count(a => a.Priority.Trend == Trend.Up),
        accounts.Count(a => a.Priority.Trend == Trend.Down),
        accounts.Sum(a => a.Priority.Priority),
        accounts.Sum(a => a.Priority.RevenueAtRisk),
        accounts.Sum(a => a.Priority.ExpectedUpsell))
    {
        PriorityByGrade = Enum.GetValues<Grade>().Select(g => (g, accounts.Where(a => a.Priority.Grade == g).Sum(a => a.Priority.Priority))).ToList(),
        RetainAtRisk = accounts.Where(a => a.Priority.Focus == AccountFocus.Retain).Sum(a => a.Priority.RevenueAtRisk),
        ExpandUpsell = accounts.Where(a => a.Priority.Focus != AccountFocus.Retain).Sum(a => a.Priority.ExpectedUpsell),
    };
}

/// <summary>The result of scoring new data with a promoted model.</summary>
public sealed record ScoringResult(string ModelName, DateOnly AsOf, DateOnly PreviousAsOf, IReadOnlyList<ScoredBook> Books)
{
    /// <summary>The model that valued each account's <see cref="ScoredAccount.Clv"/> when the promoted model has a lifetime part; null otherwise.</summary>
    public string? ClvModel { get; init; }

    public int AccountCount => Books.Sum(b => b.Accounts.Count);

    /// <summary>As-of date of the previous scoring the accounts are compared with (<see cref="BookComparison"/>); null without one.</summary>
    public DateOnly? Previous { get; init; }

    /// <summary>Accounts that no rep owned at the as-of date (they form the "(unassigned)" book).</summary>
    public int UnassignedAccounts => Books.Where(b => b.RepId == RepBooks.Unassigned).Sum(b => b.Accounts.Count);

    /// <summary>Every scored account across the books, highest priority first (ties by account id); computed on each
    /// call, not cached, so a <c>with</c> copy never carries a stale list.</summary>
    public IReadOnlyList<ScoredAccount> Accounts => Books.SelectMany(b => b.Accounts)
        .OrderByDescending(a => a.Priority.Priority).ThenBy(a => a.AccountId, StringComparer.Ordinal).ToList();
}

/// <summary>
/// Scores new data: calibrated churn and upsell probabilities per account-product at the as-of month (and the month
/// before, for trends), the reps' ranked books with grades, and CrystalCandle-style narratives from exact TreeSHAP.
/// The feature schema is checked against both models before any row is scored.
/// </summary>
public static class BatchScorer
{
    /// <summary>Scored probabilities are kept in [<see cref="ProbabilityFloor"/>, 1 - <see cref="ProbabilityFloor"/>]: isotonic
    /// calibration returns exactly 0 or 1 at the ends of its steps, which no account's future warrants (and which would make
    /// "probability of any churn" 100%).</summary>
    public const double ProbabilityFloor = ProbabilityBounds.Floor;

    static double[] Bounded(double[] p) => p.Select(ProbabilityBounds.Apply).ToArray();

    /// <summary>Calibrated probabilities of <paramref name="rows"/>: a tree model's trees walked by <see cref="TreeScorer"/>
    /// (the bits ML.NET gives, several times faster), any other model through ML.NET.</summary>
    internal static double[] Probabilities(PropensityModel model, TrainingSet rows, string source)
    {
        if (TreeScorer.For(model) is not { } trees) return model.Score(rows, source).Probability;
        model.CheckSchema(rows.FeatureNames, source);
        var raw = trees.Score(rows.Values, rows.RowCount);
        var p = new double[raw.Length];
        for (int i = 0; i < raw.Length; i++) p[i] = model.Calibrator.Apply(raw[i]);
        return p;
    }

    /// <summary>Scores, explains and books every eligible account of <paramref name="features"/>; <paramref name="progress"/>,
    /// when given, is told each step (explaining, assembling the books) as it starts. <paramref name="explainers"/>: explainers
    /// already being built for these models and narrative options (<see cref="ScoringExplainers.Start"/>); null: built here,
    /// when the explaining starts.</summary>
    public static ScoringResult Score(ScoringModels models, ScoringFeatures features, CrmDataset data, NarrativeOptions? narratives = null,
        IProgress<string>? progress = null, ScoringExplainers? explainers = null)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(data);
        if (explainers is not null && (explainers.Models != models || explainers.Narratives != narratives))
            throw new ArgumentException("The explainers were started for other models or narrative options than this scoring's.", nameof(explainers));
        var table = features.Features;
        var names = table.Registry.Names.ToArray();
        string source = $"the data scored with model '{models.Name}'";
        models.Churn.CheckSchema(names, source);
        models.Upsell.CheckSchema(names, source);

        var allRows = Enumerable.Range(0, table.RowCount).ToArray();
        var current = allRows.Where(r => table.Snapshots[r].AsOfMonth == features.AsOfMonth).ToArray();
        var productNames = data.Products.ToDictionary(p => p.ProductId, p => p.Name, StringComparer.Ordinal);
        string ProductName(string id) => productNames.GetValueOrDefault(id, id);
        // The accounts' context (history, renewal, activity, opportunities) reads only the data and the scored accounts and
        // runs on one thread, so it is built from here on beside the scoring, whose serial steps (the books) leave a core free.
        var accountIds = new List<string>();
        var seenAccounts = new HashSet<string>(StringComparer.Ordinal);
        foreach (int r in current) if (seenAccounts.Add(table.AccountId(r))) accountIds.Add(table.AccountId(r));
        double contextSeconds = 0;
        var contextsTask = Task.Run(() =>
        {
            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            var built = AccountContext.Build(data, features.AsOf, accountIds, ProductName);
            contextSeconds = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
            return built;
        });
        try
        {
            // The table's own values: scoring only reads them (a copy was the size of the feature matrix). Each model scores on
            // every core, so the two run one after the other.
            var rows = new TrainingSet(table.Values, names, new bool[table.RowCount]);
            var clock = new StagePartClock(progress as IStagePartTimings);
            var pChurn = Bounded(Probabilities(models.Churn, rows, source));
            var pUpsell = Bounded(Probabilities(models.Upsell, rows, source));
            clock.Lap(FormattableString.Invariant($"both models' probabilities of {table.RowCount:N0} rows"));
            var products = PriorityBooks.ProductPriorities(table, r => features.RunRates[r], allRows, pUpsell, pChurn, models.UpsellRatio, models.Priority);
            clock.Lap("the products' priorities");
            // Only the as-of month's books are shown: the month before gives its priorities for the trends, unranked.
            var books = PriorityBooks.BooksAt(products, new RepBooks(data.Book), models.Priority, features.AsOf);
            clock.Lap("the ranked books");

            // Explain only the narratives the book tells: each account's top product under its focus model.
            var rowOf = new Dictionary<(string Account, string Product), int>();
            for (int k = 0; k < current.Length; k++) rowOf[(products[current[k]].AccountId, products[current[k]].ProductId)] = k;
            var churnAt = new List<int>(); var upsellAt = new List<int>();
            foreach (var b in books)
                (b.Focus == AccountFocus.Retain ? churnAt : upsellAt).Add(rowOf[(b.AccountId, b.TopProduct)]);
            churnAt.Sort(); upsellAt.Sort();
            progress?.Report("explaining");
            var churnTold = new Narrative?[current.Length];
            var upsellTold = new Narrative?[current.Length];
            Explain(models, explainers, narratives, table, current, churnAt, upsellAt, ProductName, churnTold, upsellTold);

            progress?.Report("assembling the books");
            var byAccount = new Dictionary<string, List<ScoredProduct>>(StringComparer.Ordinal);
            for (int k = 0; k < current.Length; k++)
            {
                int r = current[k];
                var p = products[r];
                if (!byAccount.TryGetValue(p.AccountId, out var list)) byAccount[p.AccountId] = list = [];
                list.Add(new ScoredProduct(p.ProductId, ProductName(p.ProductId), p.PChurn, p.PUpsell, p.RunRate, p.ExpectedUpsell, p.RevenueAtRisk,
                    churnTold[k], upsellTold[k]));
            }
            var accountNames = data.Accounts.ToDictionary(a => a.AccountId, a => a.Name, StringComparer.Ordinal);
            var contexts = contextsTask.GetAwaiter().GetResult();
            (progress as IStagePartTimings)?.Part("the accounts' context, on a thread of its own from the scoring on", contextSeconds);
            var repNames = data.Reps.ToDictionary(r => r.RepId, r => r.Name, StringComparer.Ordinal);
            // Each rep's book is assembled on its own (sorting each account's products, reading the shared maps only), so the
            // books are built on every core, each into its place in rep order.
            var reps = books.GroupBy(b => b.RepId, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToArray();
            var result = new ScoredBook[reps.Length];
            Parallel.For(0, reps.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
            {
                var g = reps[i];
                result[i] = new ScoredBook(g.Key, repNames.GetValueOrDefault(g.Key, g.Key), g.OrderBy(b => b.Rank).Select(b =>
                {
                    var items = byAccount[b.AccountId].OrderByDescending(p => p.ExpectedUpsell + p.RevenueAtRisk).ThenBy(p => p.ProductId, StringComparer.Ordinal).ToList();
                    var top = items.First(p => p.ProductId == b.TopProduct);
                    return new ScoredAccount(b, accountNames.GetValueOrDefault(b.AccountId, b.AccountId), items,
                        (b.Focus == AccountFocus.Retain ? top.ChurnNarrative : top.UpsellNarrative)!) { Context = contexts[b.AccountId] };
                }).ToList());
            });
            return new ScoringResult(models.Name, features.AsOf, features.PreviousAsOf, result.ToList());
        }
        finally
        {
            // A scoring that fails before the books are assembled leaves no unobserved exception behind.
            if (!contextsTask.IsCompleted) contextsTask.ContinueWith(t => _ = t.Exception, TaskScheduler.Default);
            else _ = contextsTask.Exception;
        }
    }

    /// <summary>Rows explained per work item: two of TreeSHAP's 64-row chunks of one model's told rows. A chunk's SHAP values
    /// (rows x 60 features x 8 bytes) then stay under the large-object heap's 85,000 bytes.</summary>
    const int ExplainChunkRows = 128;

    /// <summary>Tells the narratives of <paramref name="churnAt"/> (indexes into <paramref name="current"/>) under the churn
    /// model and of <paramref name="upsellAt"/> under the upsell model, into the matching slots of <paramref name="churnTold"/>
    /// and <paramref name="upsellTold"/>. Both models' rows are cut into chunks explained in one loop on every core, so no core
    /// waits between the models or between TreeSHAP and the sentences; a row's SHAP values and narrative do not depend on
    /// its chunk or thread (<see cref="AccountExplainer.ExplainChunk"/>), so they are the ones a whole-batch explanation tells.</summary>
    static void Explain(ScoringModels models, ScoringExplainers? explainers, NarrativeOptions? narratives, FeatureTable table, int[] current,
        List<int> churnAt, List<int> upsellAt, Func<string, string> productName, Narrative?[] churnTold, Narrative?[] upsellTold)
    {
        // Explainers are built (or awaited) only for a model with rows to tell, churn first as before.
        AccountExplainer? churn = churnAt.Count == 0 ? null
            : explainers?.Churn ?? new AccountExplainer(models.Churn, models.ChurnBackground, narratives, NarrativeAudience.Rep);
        AccountExplainer? upsell = upsellAt.Count == 0 ? null
            : explainers?.Upsell ?? new AccountExplainer(models.Upsell, models.UpsellBackground, narratives, NarrativeAudience.Rep);
        var churnTeller = churn?.For(table, productName);
        var upsellTeller = upsell?.For(table, productName);
        int churnChunks = (churnAt.Count + ExplainChunkRows - 1) / ExplainChunkRows;
        int upsellChunks = (upsellAt.Count + ExplainChunkRows - 1) / ExplainChunkRows;
        try
        {
            Parallel.For(0, churnChunks + upsellChunks, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, c =>
            {
                bool isChurn = c < churnChunks;
                var at = isChurn ? churnAt : upsellAt;
                int start = (isChurn ? c : c - churnChunks) * ExplainChunkRows, count = Math.Min(ExplainChunkRows, at.Count - start);
                var rows = new int[count];
                for (int i = 0; i < count; i++) rows[i] = current[at[start + i]];
                var told = isChurn ? churn!.ExplainChunk(churnTeller!, rows).Narratives : upsell!.ExplainChunk(upsellTeller!, rows).Narratives;
                var into = isChurn ? churnTold : upsellTold;
                for (int i = 0; i < count; i++) into[at[start + i]] = told[i];
            });
        }
        catch (AggregateException ex) when (ex.InnerExceptions.Count > 0)
        {
            // The first failure as itself, not wrapped.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerExceptions[0]).Throw();
        }
    }
}
