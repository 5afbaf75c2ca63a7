using Microsoft.ML;
using Microsoft.ML.Data;
using Workbench.Analytics.Modeling;

namespace Workbench.Analytics.Actions;

/// <summary>Options of <see cref="NextBestProduct"/>.</summary>
public sealed record NextProductOptions
{
    /// <summary>Months after the as-of month in which a purchase counts (labels and evaluation). Default 6.</summary>
    public int HorizonMonths { get; init; } = 6;
    /// <summary>Training snapshots: this many as-of months, <see cref="SnapshotStride"/> apart, ending
    /// <see cref="HorizonMonths"/> before the as-of month (so every label is observed). Default 4.</summary>
    public int SnapshotMonths { get; init; } = 4;
    public int SnapshotStride { get; init; } = 3;
    /// <summary>The add-on propensity model (ML.NET FastTree binary): 40 trees of 8 leaves, at least 20 rows a leaf, learning
    /// rate 0.1. It is fitted only when the training snapshots hold 2x its minimum leaf of add-ons and of non-add-ons.</summary>
    public TreeOptions AddOnModel { get; init; } = new(Trees: 40, Leaves: 8, MinExamplesPerLeaf: 20, LearningRate: 0.1);
    /// <summary>Co-ownership lifts are clipped to [1/MaxLift, MaxLift]. Default 3.</summary>
    public double MaxLift { get; init; } = 3;
    public int Seed { get; init; } = 42;

    internal IEnumerable<string> Problems()
    {
        static string F(double x) => x.ToString(CultureInfo.InvariantCulture);
        if (HorizonMonths < 1) yield return $"HorizonMonths must be >= 1, got {HorizonMonths}.";
        if (SnapshotMonths < 1) yield return $"SnapshotMonths must be >= 1, got {SnapshotMonths}.";
        if (SnapshotStride < 1) yield return $"SnapshotStride must be >= 1, got {SnapshotStride}.";
        if (AddOnModel is null) yield return "AddOnModel is required.";
        else foreach (var p in AddOnModel.Problems(nameof(AddOnModel))) yield return p;
        if (!(MaxLift >= 1)) yield return $"MaxLift must be >= 1, got {F(MaxLift)}.";
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> listing every problem.</summary>
    public void Validate()
    {
        var problems = Problems().ToList();
        if (problems.Count > 0) throw new OptionsValidationException("Invalid next-product options: " + string.Join(" ", problems));
    }
}

/// <summary>One candidate product for an account: held (an add-on) or not (a cross-sell), its purchase propensity over
/// the horizon, the expected amount (monthly run-rate added), the co-ownership lift and the score
/// (propensity x amount x lift) that ranks it.</summary>
public sealed record ProductOffer(string ProductId, bool Held, double Propensity, double ExpectedAmount, double Lift, double Score);

/// <summary>An account's candidates, best first (never empty for an account that is recommended).</summary>
public sealed record ProductRecommendation(string AccountId, IReadOnlyList<ProductOffer> Ranked)
{
    public ProductOffer Best => Ranked[0];
}

/// <summary>Next best product judged on a held-out window: hit rates at 1 and 3 of the realized next purchase, for the
/// model and the popularity baseline, over the accounts that made a purchase in the window.</summary>
public sealed record NextProductEvaluation(DateOnly AsOf, int HorizonMonths, int Accounts, double HitAt1, double HitAt3,
    double PopularityHitAt1, double PopularityHitAt3);

/// <summary>
/// Next best product per account: every catalog product is a candidate except what the account already holds at full
/// use (a held product whose purchased seats cover every employee of the account: there is nobody left to sell to).
/// A held product is an add-on candidate: its propensity comes from an ML.NET FastTree model of "an add-on booking
/// within the horizon" over the pair's point-in-time registry features, its amount from the product's mean add-on
/// share of the pair's run-rate. A product not held is a cross-sell candidate: its propensity is the product's
/// historical cross-sell rate, its amount the product's mean new-booking amount. Both are multiplied by the
/// co-ownership lift (P(holds c | holds h) / P(holds c), averaged over the held products h). Only data dated before the
/// as-of month is read. The popularity baseline ranks the same candidates by the number of purchases (new and add-on
/// bookings) in the training window.
/// </summary>
public static class NextBestProduct
{
    static readonly string[] PairFeatures =
    [
        "utilization_mean_3m", "utilization_change_3m", "active_users_growth_3m", "seats_change_6m", "addons_12m",
        "meetings_3m", "ticket_severity_sum_3m", "champion_change_6m", "months_to_renewal", "spend_mean_3m",
        "spend_trend_3v12", "account_tenure_months",
    ];
    static readonly string[] ModelColumns = [.. PairFeatures, "product"];

    /// <summary>Recommendations as of the month after the data ends, for every account holding a product last month.</summary>
    public static IReadOnlyList<ProductRecommendation> Recommend(CrmDataset data, NextProductOptions? options = null)
    {
        var o = options ?? new NextProductOptions();
        o.Validate();
        var panel = new MonthlyPanel(data);
        return Core(data, panel, panel.Months, o).Model;
    }

    /// <summary>Fits as of <see cref="NextProductOptions.HorizonMonths"/> before the data ends and compares the
    /// recommendations with each account's first purchase (new or add-on booking) in the remaining months.</summary>
    /// <exception cref="WorkbenchException">The data is too short or has no purchase in the window.</exception>
    public static NextProductEvaluation Evaluate(CrmDataset data, NextProductOptions? options = null)
    {
        var o = options ?? new NextProductOptions();
        o.Validate();
        var panel = new MonthlyPanel(data);
        int asOf = panel.Months - o.HorizonMonths;
        if (asOf - o.HorizonMonths < 1)
            throw new WorkbenchException($"Next best product needs more than {2 * o.HorizonMonths} months of data (a training window and a {o.HorizonMonths}-month evaluation window); the data has {panel.Months}.");
        var (model, popular) = Core(data, panel, asOf, o);
        var realized = new Dictionary<string, (DateOnly Date, string Id, string Product)>(StringComparer.Ordinal);
        foreach (var p in Purchases(data, panel))
        {
            if (p.Month < asOf || p.Month >= panel.Months) continue;
            if (!realized.TryGetValue(p.AccountId, out var r) || p.Date < r.Date || (p.Date == r.Date && string.CompareOrdinal(p.Id, r.Id) < 0))
                realized[p.AccountId] = (p.Date, p.Id, p.ProductId);
        }
        int n = 0, m1 = 0, m3 = 0, p1 = 0, p3 = 0;
        for (int i = 0; i < model.Count; i++)
        {
            if (!realized.TryGetValue(model[i].AccountId, out var r)) continue;
            n++;
            int rm = Rank(model[i].Ranked, r.Product), rp = Rank(popular[i].Ranked, r.Product);
            if (rm == 0) m1++;
            if (rm is >= 0 and < 3) m3++;
            if (rp == 0) p1++;
            if (rp is >= 0 and < 3) p3++;
        }
        if (n == 0) throw new WorkbenchException("No account made a purchase in the evaluation window: next best product cannot be evaluated.");
        return new NextProductEvaluation(panel.MonthAt(asOf), o.HorizonMonths, n, m1 / (double)n, m3 / (double)n, p1 / (double)n, p3 / (double)n);
    }

    static int Rank(IReadOnlyList<ProductOffer> ranked, string product)
    {
        for (int k = 0; k < ranked.Count; k++) if (ranked[k].ProductId == product) return k;
        return -1;
    }

    readonly record struct Purchase(string Id, string AccountId, string ProductId, DateOnly Date, int Month, int Account, int Product, bool AddOn, double Amount);

    static List<Purchase> Purchases(CrmDataset data, MonthlyPanel panel)
    {
        var list = new List<Purchase>();
        foreach (var b in data.Bookings)
        {
            if (b.Type is not (BookingType.New or BookingType.AddOn) || b.AmountDelta <= 0) continue;
            list.Add(new Purchase(b.BookingId, b.AccountId, b.ProductId, b.Date, panel.MonthIndexOf(MonthlyPanel.FirstOfMonth(b.Date)),
                panel.AccountIndexOf(b.AccountId), panel.ProductIndexOf(b.ProductId), b.Type == BookingType.AddOn, (double)b.AmountDelta));
        }
        return list;
    }

    static bool Holds(MonthlyPanel panel, int account, int product, int month)
    {
        int pair = panel.PairIndexOf(account, product);
        return pair >= 0 && month > 0 && panel.SpendSum(pair, month - 1, month) > 0;
    }

    /// <summary>Held with purchased seats covering every employee (employees known): nothing left to sell.</summary>
    static bool FullUse(MonthlyPanel panel, int account, int product, int month)
    {
        int pair = panel.PairIndexOf(account, product);
        if (pair < 0 || month < 1 || panel.Accounts[account].Employees is not int employees) return false;
        double seats = panel.SeatsPurchased[pair * panel.Months + Math.Min(month, panel.Months) - 1];
        return !double.IsNaN(seats) && seats >= employees;
    }

    static (IReadOnlyList<ProductRecommendation> Model, IReadOnlyList<ProductRecommendation> Popular) Core(
        CrmDataset data, MonthlyPanel panel, int asOf, NextProductOptions o)
    {
        int products = panel.ProductIds.Count, accounts = panel.AccountIds.Count, h = o.HorizonMonths;
        var purchases = Purchases(data, panel).Where(p => p.Month < asOf).ToList();
        // Labels: [account * products + product] -> months with an add-on / new booking (before the as-of month only).
        var addOnMonths = new Dictionary<int, List<int>>();
        var newMonths = new Dictionary<int, List<int>>();
        foreach (var p in purchases)
        {
            var map = p.AddOn ? addOnMonths : newMonths;
            int key = p.Account * products + p.Product;
            if (!map.TryGetValue(key, out var l)) map[key] = l = [];
            l.Add(p.Month);
        }
        static bool Within(Dictionary<int, List<int>> map, int key, int from, int to) => map.TryGetValue(key, out var l) && l.Any(m => m >= from && m < to);

        // Training snapshots: as-of months whose horizon ends by the as-of month.
        var months = Enumerable.Range(0, o.SnapshotMonths).Select(k => asOf - h - k * o.SnapshotStride).Where(m => m >= 1).ToArray();
        var heldRows = new List<Snapshot>();
        var heldLabels = new List<bool>();
        var crossTrials = new double[products];
        var crossHits = new double[products];
        foreach (int m in months)
            for (int a = 0; a < accounts; a++)
            {
                bool any = false;
                for (int p = 0; p < products && !any; p++) any = Holds(panel, a, p, m);
                if (!any) continue;
                for (int p = 0; p < products; p++)
                {
                    int key = a * products + p;
                    if (Holds(panel, a, p, m))
                    {
                        heldRows.Add(new Snapshot(panel.PairIndexOf(a, p), a, p, m));
                        heldLabels.Add(Within(addOnMonths, key, m, m + h));
                    }
                    else
                    {
                        crossTrials[p]++;
                        if (Within(newMonths, key, m, m + h)) crossHits[p]++;
                    }
                }
            }

        // Add-on propensity model.
        var builder = new FeatureBuilder(panel);
        var ml = new MLContext(o.Seed);
        ITransformer? addOnModel = null;
        double addOnRate = heldLabels.Count > 0 ? heldLabels.Count(x => x) / (double)heldLabels.Count : 0;
        int positives = heldLabels.Count(x => x);
        int minLeaf = o.AddOnModel.MinExamplesPerLeaf;
        if (positives >= 2 * minLeaf && heldLabels.Count - positives >= 2 * minLeaf)
            addOnModel = ml.BinaryClassification.Trainers.FastTree(o.AddOnModel.FastTreeBinary()).Fit(new DenseDataView(Matrix(builder, heldRows), ModelColumns, heldLabels.ToArray()));

        // Amounts: add-on share of the pair's run-rate per product; mean new-booking amount per product.
        var shareSum = new double[products]; var shareN = new double[products];
        var newSum = new double[products]; var newN = new double[products];
        foreach (var p in purchases)
        {
            if (p.AddOn)
            {
                int pair = panel.PairIndexOf(p.Account, p.Product);
                double before = pair >= 0 && p.Month > 0 ? panel.SpendSum(pair, p.Month - 1, p.Month) : 0;
                if (before > 0) { shareSum[p.Product] += Math.Min(2.0, p.Amount / before); shareN[p.Product]++; }
            }
            else { newSum[p.Product] += p.Amount; newN[p.Product]++; }
        }
        double allShare = shareN.Sum() > 0 ? shareSum.Sum() / shareN.Sum() : 0.2, allNew = newN.Sum() > 0 ? newSum.Sum() / newN.Sum() : 0;
        // Add-one smoothed rates toward the overall rate so a product with few trials is not ranked on noise.
        double crossAll = crossTrials.Sum() > 0 ? crossHits.Sum() / crossTrials.Sum() : 0;
        var crossRate = Enumerable.Range(0, products).Select(p => (crossHits[p] + 10 * crossAll) / (crossTrials[p] + 10)).ToArray();

        // Co-ownership at the as-of month.
        var holds = new bool[accounts, products];
        var heldCount = new double[products];
        var both = new double[products, products];
        int owners = 0;
        for (int a = 0; a < accounts; a++)
        {
            bool any = false;
            for (int p = 0; p < products; p++) if (holds[a, p] = Holds(panel, a, p, asOf)) { any = true; heldCount[p]++; }
            if (!any) continue;
            owners++;
            for (int p = 0; p < products; p++)
                if (holds[a, p]) for (int q = 0; q < products; q++) if (holds[a, q]) both[p, q]++;
        }
        double Lift(int held, int c) => heldCount[held] == 0 || heldCount[c] == 0 || owners == 0 ? 1
            : Math.Clamp((both[held, c] / heldCount[held]) / (heldCount[c] / owners), 1 / o.MaxLift, o.MaxLift);

        var popularity = new double[products];
        foreach (var p in purchases) if (p.Month >= asOf - h - (o.SnapshotMonths - 1) * o.SnapshotStride) popularity[p.Product]++;

        // Score every held pair at the as-of month in one batch.
        var currentRows = new List<Snapshot>();
        for (int a = 0; a < accounts; a++)
            for (int p = 0; p < products; p++)
                if (holds[a, p]) currentRows.Add(new Snapshot(panel.PairIndexOf(a, p), a, p, asOf));
        var prob = new float[currentRows.Count];
        if (addOnModel is not null && currentRows.Count > 0)
            prob = addOnModel.Transform(new DenseDataView(Matrix(builder, currentRows), ModelColumns, new bool[currentRows.Count]))
                .GetColumn<float>("Probability").ToArray();
        else Array.Fill(prob, (float)addOnRate);
        var probOf = new Dictionary<int, double>();
        for (int k = 0; k < currentRows.Count; k++) probOf[currentRows[k].Account * products + currentRows[k].Product] = prob[k];

        var model = new List<ProductRecommendation>();
        var popular = new List<ProductRecommendation>();
        for (int a = 0; a < accounts; a++)
        {
            var held = Enumerable.Range(0, products).Where(p => holds[a, p]).ToArray();
            if (held.Length == 0) continue;
            var offers = new List<ProductOffer>();
            for (int c = 0; c < products; c++)
            {
                if (holds[a, c])
                {
                    if (FullUse(panel, a, c, asOf)) continue;
                    int pair = panel.PairIndexOf(a, c);
                    double runRate = panel.SpendSum(pair, asOf - 1, asOf);
                    double share = shareN[c] > 0 ? shareSum[c] / shareN[c] : allShare;
                    double pr = probOf[a * products + c], amount = share * runRate;
                    offers.Add(new ProductOffer(panel.ProductIds[c], true, pr, amount, 1, pr * amount));
                }
                else
                {
                    double lift = held.Average(hp => Lift(hp, c));
                    double amount = newN[c] > 0 ? newSum[c] / newN[c] : allNew, pr = crossRate[c];
                    offers.Add(new ProductOffer(panel.ProductIds[c], false, pr, amount, lift, pr * amount * lift));
                }
            }
            if (offers.Count == 0) continue;
            string id = panel.AccountIds[a];
            model.Add(new ProductRecommendation(id, offers.OrderByDescending(x => x.Score).ThenBy(x => x.ProductId, StringComparer.Ordinal).ToArray()));
            popular.Add(new ProductRecommendation(id, offers
                .OrderByDescending(x => popularity[panel.ProductIndexOf(x.ProductId)]).ThenBy(x => x.ProductId, StringComparer.Ordinal).ToArray()));
        }
        return (model, popular);
    }

    static float[] Matrix(FeatureBuilder builder, List<Snapshot> rows)
    {
        var table = builder.Build(rows, new FeatureOptions());
        var columns = PairFeatures.Select(table.ColumnIndex).ToArray();
        int w = ModelColumns.Length;
        var x = new float[rows.Count * w];
        for (int i = 0; i < rows.Count; i++)
        {
            var row = table.Row(i);
            for (int j = 0; j < columns.Length; j++) x[i * w + j] = row[columns[j]];
            x[i * w + w - 1] = rows[i].Product;
        }
        return x;
    }
}
