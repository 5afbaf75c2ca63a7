namespace Workbench.Analytics.Labeling;

public enum Outcome { Flat, Upsell, Churn }

/// <summary>What decides a label.</summary>
public enum LabelSource
{
    /// <summary>Booking events in the label window (add-ons; cancellations and non-renewals), wherever in the year they fall.</summary>
    Bookings,
    /// <summary>Mean spend in the label window against the run-rate before the as-of date.</summary>
    Spend,
    /// <summary>Churn if either says churn; upsell if either says upsell (and not churn).</summary>
    Both,
    /// <summary>For order data (irregular purchases): churn when the account-product bought in the
    /// <see cref="LabelOptions.PurchaseLookbackMonths"/> before the as-of date and buys nothing in the horizon; upsell when
    /// the horizon's monthly spend is at least (1 + UpsellThreshold) times the lookback's monthly rate, which is also the
    /// run-rate. Chosen automatically when a dataset without bookings is billed irregularly (<see cref="Labeler.AutoSource"/>).</summary>
    Purchases,
}

public sealed record LabelOptions
{
    public LabelSource Source { get; init; } = LabelSource.Both;
    /// <summary>Upsell when window spend exceeds run-rate by at least this share (0.15 = +15%).</summary>
    public double UpsellThreshold { get; init; } = 0.15;
    /// <summary>Churn when window spend falls below run-rate by at least this share (0.5 = halved or worse).</summary>
    public double ChurnThreshold { get; init; } = 0.5;
    /// <summary>Months before the as-of date averaged into the run-rate.</summary>
    public int RunRateMonths { get; init; } = 3;
    /// <summary>Whether a downgrade booking counts as churn (partial churn). Off: downgrades only move spend.</summary>
    public bool DowngradeIsChurn { get; init; }
    /// <summary>Purchase labels: months before the as-of date whose purchases set the run-rate (and make a snapshot
    /// eligible for churn).</summary>
    public int PurchaseLookbackMonths { get; init; } = 12;

    public void Validate()
    {
        if (UpsellThreshold is <= 0 or > 10) throw new OptionsValidationException($"UpsellThreshold must be in (0, 10], got {UpsellThreshold}.");
        if (ChurnThreshold is <= 0 or > 1) throw new OptionsValidationException($"ChurnThreshold must be in (0, 1], got {ChurnThreshold}.");
        if (RunRateMonths is < 1 or > 12) throw new OptionsValidationException($"RunRateMonths must be 1..12, got {RunRateMonths}.");
        if (PurchaseLookbackMonths is < 1 or > 36) throw new OptionsValidationException($"PurchaseLookbackMonths must be 1..36, got {PurchaseLookbackMonths}.");
    }
}

/// <summary>The label of one snapshot with the money behind it: the monthly run-rate at the as-of date,
/// the mean monthly spend in the window, and the upsell amount booked in the window (monthly run-rate terms).</summary>
public readonly record struct Label(Snapshot Snapshot, Outcome Outcome, double RunRate, double WindowSpend, double UpsellAmount, double ChurnAmount);

public static class Labeler
{
    /// <summary>Labels each snapshot from the months [as-of + gap, as-of + gap + horizon) only.</summary>
    public static Label[] Label(MonthlyPanel panel, IReadOnlyList<Snapshot> snapshots, SnapshotOptions snapshotOptions, LabelOptions options)
    {
        snapshotOptions.Validate(); options.Validate();
        var labels = new Label[snapshots.Count];
        Parallel.For(0, snapshots.Count, i => labels[i] = LabelOne(panel, snapshots[i], snapshotOptions, options));
        return labels;
    }

    /// <summary>The monthly run-rate at the as-of date: mean spend over the <see cref="LabelOptions.RunRateMonths"/> months
    /// before it. It reads only the past, so scoring uses it on data whose labels do not exist yet.</summary>
    public static double RunRate(MonthlyPanel panel, Snapshot s, LabelOptions options) => options.Source == LabelSource.Purchases
        ? panel.SpendSum(s.Pair, s.AsOfMonth - options.PurchaseLookbackMonths, s.AsOfMonth) / options.PurchaseLookbackMonths
        : panel.SpendSum(s.Pair, s.AsOfMonth - options.RunRateMonths, s.AsOfMonth) / options.RunRateMonths;

    /// <summary>The label source "auto" resolves to: bookings when the data has them; else purchases when billing is
    /// irregular (<see cref="IsIrregular"/>); else spend against the run-rate.</summary>
    public static LabelSource AutoSource(CrmDataset data) =>
        data.Bookings.Count > 0 ? LabelSource.Bookings : IsIrregular(data.Spend) ? LabelSource.Purchases : LabelSource.Spend;

    /// <summary>Irregular billing (order data rather than a subscription): at least 30% of account-products bought in
    /// a single month only, or at least 25% of the months between an account-product's first and last spend without spend.</summary>
    public static bool IsIrregular(IReadOnlyList<SpendRecord> spend)
    {
        var byPair = new Dictionary<(string, string), (int First, int Last, int Months)>();
        foreach (var r in spend)
        {
            if (r.Amount <= 0) continue;
            int m = r.Month.Year * 12 + r.Month.Month - 1;
            var key = (r.AccountId, r.ProductId);
            byPair[key] = byPair.TryGetValue(key, out var v) ? (Math.Min(v.First, m), Math.Max(v.Last, m), v.Months + 1) : (m, m, 1);
        }
        if (byPair.Count == 0) return false;
        int single = 0; long span = 0, active = 0;
        foreach (var v in byPair.Values)
        {
            if (v.Months == 1) { single++; continue; }
            span += v.Last - v.First + 1; active += v.Months;
        }
        return single >= 0.3 * byPair.Count || (span > 0 && 1.0 - (double)active / span >= 0.25);
    }

    internal static Label LabelOne(MonthlyPanel panel, Snapshot s, SnapshotOptions so, LabelOptions o)
    {
        int from = s.AsOfMonth + so.GapMonths, to = from + so.HorizonMonths;
        double runRate = RunRate(panel, s, o);
        double window = panel.SpendSum(s.Pair, from, to) / so.HorizonMonths;

        bool spendChurn = runRate > 0 && window <= runRate * (1 - o.ChurnThreshold);
        bool spendUpsell = runRate > 0 ? window >= runRate * (1 + o.UpsellThreshold) : window > 0;

        double addOns = 0, churnEvents = 0, upsellAmount = 0, churnAmount = 0;
        int b = s.Pair * panel.Months;
        for (int m = from; m < to; m++)
        {
            addOns += panel.AddOns[b + m];
            churnEvents += panel.Cancellations[b + m] + panel.NonRenewals[b + m] + (o.DowngradeIsChurn ? panel.Downgrades[b + m] : 0);
            upsellAmount += panel.UpsellAmount[b + m];
            churnAmount += panel.ChurnAmount[b + m];
        }
        bool bookChurn = churnEvents > 0, bookUpsell = addOns > 0;
        if (o.Source == LabelSource.Purchases)
        {
            double bought = panel.SpendSum(s.Pair, s.AsOfMonth - o.PurchaseLookbackMonths, s.AsOfMonth);
            bool purchaseChurn = bought > 0 && window <= 0;
            bool purchaseUpsell = runRate > 0 ? window >= runRate * (1 + o.UpsellThreshold) : window > 0;
            var po = purchaseChurn ? Outcome.Churn : purchaseUpsell ? Outcome.Upsell : Outcome.Flat;
            return new Label(s, po, runRate, window, Math.Max(0, window - runRate), purchaseChurn ? runRate : 0);
        }

        var (churn, upsell) = o.Source switch
        {
            LabelSource.Bookings => (bookChurn, bookUpsell),
            LabelSource.Spend => (spendChurn, spendUpsell),
            _ => (bookChurn || spendChurn, bookUpsell || spendUpsell),
        };
        if (o.Source == LabelSource.Spend) upsellAmount = Math.Max(0, window - runRate);
        var outcome = churn ? Outcome.Churn : upsell ? Outcome.Upsell : Outcome.Flat;
        return new Label(s, outcome, runRate, window, upsellAmount, churnAmount);
    }

    /// <summary>Account-level labels at each as-of date: churn when the churned products carried at least
    /// ChurnThreshold of the account's run-rate, upsell when any product upsold (and not churn).</summary>
    public static IReadOnlyList<AccountLabel> ByAccount(IReadOnlyList<Label> productLabels, LabelOptions options)
    {
        // Labels come from Snapshots.Build ordered by as-of month, then pair (account-major), so each account's products
        // at one date are adjacent; any other order is put into that one first (stable, so sums add in the same order).
        static long Key(Label l) => ((long)l.Snapshot.AsOfMonth << 32) | (uint)l.Snapshot.Account;
        IReadOnlyList<Label> ordered = productLabels;
        for (int i = 1; i < productLabels.Count; i++)
            if (Key(productLabels[i]) < Key(productLabels[i - 1])) { ordered = productLabels.OrderBy(Key).ToList(); break; }
        var result = new List<AccountLabel>();
        for (int start = 0; start < ordered.Count;)
        {
            int end = start;
            while (end + 1 < ordered.Count && Key(ordered[end + 1]) == Key(ordered[start])) end++;
            double runRate = 0, churned = 0, window = 0, upsellAmount = 0;
            bool upsell = false, allChurn = true;
            for (int i = start; i <= end; i++)
            {
                var l = ordered[i];
                runRate += l.RunRate; window += l.WindowSpend; upsellAmount += l.UpsellAmount;
                if (l.Outcome == Outcome.Churn) churned += l.RunRate; else allChurn = false;
                upsell |= l.Outcome == Outcome.Upsell;
            }
            bool churn = runRate > 0 ? churned >= options.ChurnThreshold * runRate : allChurn;
            var outcome = churn ? Outcome.Churn : upsell ? Outcome.Upsell : Outcome.Flat;
            result.Add(new AccountLabel(ordered[start].Snapshot.Account, ordered[start].Snapshot.AsOfMonth, outcome, runRate, window, upsellAmount, churned));
            start = end + 1;
        }
        return result;
    }
}

public readonly record struct AccountLabel(int Account, int AsOfMonth, Outcome Outcome, double RunRate, double WindowSpend, double UpsellAmount, double ChurnedRunRate);
