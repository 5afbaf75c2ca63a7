namespace Workbench.Analytics.Labeling;

/// <summary>Which account-products count at an as-of date.</summary>
public enum Eligibility
{
    /// <summary>Billed in the month before the as-of date (works for any data with spend).</summary>
    RecentSpend,
    /// <summary>A contract that started before the as-of date and renews on or after it.</summary>
    ActiveContract,
}

/// <summary>How examples are cut in time. Features read months before the as-of date; labels read
/// months [as-of + gap, as-of + gap + horizon). Both are validated up front.</summary>
public sealed record SnapshotOptions
{
    /// <summary>Months ahead a label looks. Three (a quarter, the rhythm of account reviews) is the default: a longer
    /// window mixes in more of what has not happened yet (see docs/decisions.md).</summary>
    public int HorizonMonths { get; init; } = 3;
    public int GapMonths { get; init; } = 0;
    /// <summary>Months of history required before the first as-of date.</summary>
    public int MinHistoryMonths { get; init; } = 6;
    /// <summary>One as-of date every this many months.</summary>
    public int StepMonths { get; init; } = 1;
    public Eligibility Eligibility { get; init; } = Eligibility.RecentSpend;
    /// <summary>Explicit as-of dates (first of month); when set, StepMonths and MinHistoryMonths only filter them.</summary>
    public IReadOnlyList<DateOnly>? AsOfDates { get; init; }

    public void Validate()
    {
        if (HorizonMonths is < 1 or > 36) throw new OptionsValidationException($"HorizonMonths must be 1..36, got {HorizonMonths}.");
        if (GapMonths is < 0 or > 12) throw new OptionsValidationException($"GapMonths must be 0..12, got {GapMonths}.");
        if (MinHistoryMonths is < 1 or > 60) throw new OptionsValidationException($"MinHistoryMonths must be 1..60, got {MinHistoryMonths}.");
        if (StepMonths is < 1 or > 24) throw new OptionsValidationException($"StepMonths must be 1..24, got {StepMonths}.");
        if (AsOfDates?.FirstOrDefault(d => d.Day != 1) is { Day: not 1 } bad && AsOfDates.Any(d => d.Day != 1))
            throw new OptionsValidationException($"As-of dates must be the first day of a month, got {bad:yyyy-MM-dd}.");
    }
}

/// <summary>One learning example: an account-product pair at an as-of month (index into the panel).</summary>
public readonly record struct Snapshot(int Pair, int Account, int Product, int AsOfMonth);

public static class Snapshots
{
    /// <summary>The as-of month indexes whose feature history and label window both fit inside the panel.</summary>
    public static IReadOnlyList<int> AsOfMonths(MonthlyPanel panel, SnapshotOptions options)
    {
        options.Validate();
        int first = options.MinHistoryMonths, last = panel.Months - options.GapMonths - options.HorizonMonths;
        IEnumerable<int> candidates = options.AsOfDates is { } dates
            ? dates.Select(panel.MonthIndexOf)
            : Enumerable.Range(0, Math.Max(0, last - first + 1)).Where(i => i % options.StepMonths == 0).Select(i => first + i);
        var result = candidates.Where(m => m >= first && m <= last).Distinct().Order().ToList();
        if (result.Count == 0)
            throw new OptionsValidationException(
                $"No as-of date fits: the data has {panel.Months} months ({panel.FirstMonth:yyyy-MM} on); {options.MinHistoryMonths} months of history, " +
                $"a gap of {options.GapMonths} and a horizon of {options.HorizonMonths} need at least {options.MinHistoryMonths + options.GapMonths + options.HorizonMonths}.");
        return result;
    }

    /// <summary>All eligible account-product snapshots, ordered by as-of month then pair (a stable order).</summary>
    public static IReadOnlyList<Snapshot> Build(MonthlyPanel panel, SnapshotOptions options)
    {
        var months = AsOfMonths(panel, options);
        // One list per as-of month on both cores, concatenated in month order: the same rows in the same order.
        var perMonth = new List<Snapshot>[months.Count];
        Parallel.For(0, months.Count, i =>
        {
            int t = months[i];
            var rows = new List<Snapshot>();
            for (int p = 0; p < panel.Pairs.Count; p++)
                if (IsEligible(panel, p, t, options.Eligibility))
                    rows.Add(new Snapshot(p, panel.Pairs[p].Account, panel.Pairs[p].Product, t));
            perMonth[i] = rows;
        });
        var list = new List<Snapshot>(perMonth.Sum(r => r.Count));
        foreach (var rows in perMonth) list.AddRange(rows);
        return list;
    }

    /// <summary>Label-free snapshots for scoring new data: every eligible account-product at the given as-of months, which
    /// need only their feature history (no label window), so the month right after the data's last month is allowed.
    /// Ordered by as-of month then pair, like <see cref="Build"/>.</summary>
    public static IReadOnlyList<Snapshot> ForScoring(MonthlyPanel panel, IReadOnlyList<int> asOfMonths, SnapshotOptions options)
    {
        options.Validate();
        var list = new List<Snapshot>();
        foreach (int t in asOfMonths.Distinct().Order())
        {
            if (t > panel.Months)
                throw new OptionsValidationException($"As-of {panel.MonthAt(t):yyyy-MM-dd} is after the data: it ends with {panel.MonthAt(panel.Months - 1):yyyy-MM}, " +
                    $"so the latest as-of date is {panel.MonthAt(panel.Months):yyyy-MM-dd}.");
            if (t < options.MinHistoryMonths)
                throw new OptionsValidationException($"As-of {panel.MonthAt(t):yyyy-MM-dd} has {Math.Max(0, t)} months of history; {options.MinHistoryMonths} are required " +
                    $"(the data starts {panel.FirstMonth:yyyy-MM}).");
            for (int p = 0; p < panel.Pairs.Count; p++)
                if (IsEligible(panel, p, t, options.Eligibility))
                    list.Add(new Snapshot(p, panel.Pairs[p].Account, panel.Pairs[p].Product, t));
        }
        return list;
    }

    static bool IsEligible(MonthlyPanel panel, int pair, int t, Eligibility rule)
    {
        if (rule == Eligibility.RecentSpend) return panel.Spend[pair * panel.Months + t - 1] > 0;
        var asOf = panel.MonthAt(t);
        foreach (var c in panel.ContractsByPair[pair])
            if (c.StartDate < asOf && c.RenewalDate >= asOf) return true;
        return false;
    }
}
