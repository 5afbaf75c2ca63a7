#pragma warning disable CS1573 // records document only the parameters that need explaining

namespace Workbench.Analytics.Segmentation;

/// <summary>What a column measures, for naming segments.</summary>
public enum ColumnRole
{
    Other,
    /// <summary>Money: spend, revenue, ARR, contract value.</summary>
    Spend,
    /// <summary>Product usage or utilisation: seats used, API calls, feature adoption.</summary>
    Usage,
    /// <summary>How often: orders, logins, visits per period.</summary>
    Frequency,
}

/// <summary>Options for segment profiles and their suggested names.</summary>
public sealed record ProfileOptions
{
    /// <summary>Role of each column; columns not listed get a role guessed from their name
    /// (spend/revenue/arr/amount/value -> Spend; usage/utilization/utilisation/seats_used/active -> Usage;
    /// frequency/orders/logins/visits/sessions/purchases -> Frequency; else Other).</summary>
    public IReadOnlyDictionary<string, ColumnRole>? ColumnRoles { get; init; }
    /// <summary>Analyst's names by segment id; they replace the suggested names.</summary>
    public IReadOnlyDictionary<int, string>? NameOverrides { get; init; }
    /// <summary>|standardized mean difference| at which a trait enters a name.</summary>
    public double NamingThreshold { get; init; } = 0.8;
    /// <summary>How many distinguishing columns each profile lists.</summary>
    public int TopDistinguishing { get; init; } = 3;
    /// <summary>Columns compared on log1p scale for the standardized mean difference (spend tails would dominate otherwise).</summary>
    public IReadOnlyCollection<string> Log1pColumns { get; init; } = [];
}

/// <summary>One column's statistics inside a segment.</summary>
/// <param name="StandardizedMeanDifference">(mean in segment - mean in the rest) / sqrt((var in + var rest) / 2),
/// on log1p scale for the configured columns.</param>
public sealed record SegmentColumnStats(string Column, double Mean, double Median, double StandardizedMeanDifference);

/// <summary>Profile of one segment.</summary>
/// <param name="OutcomeRates">Mean of each caller-supplied outcome column (e.g. churn, upsell as 0/1) in the segment.</param>
/// <param name="DistinguishingColumns">Columns with the largest |SMD|, largest first.</param>
/// <param name="NameReason">Why the suggested name was given (or "set by the analyst").</param>
public sealed record SegmentProfile(
    int Segment, string Name, int Size, double Share,
    IReadOnlyList<SegmentColumnStats> Columns,
    IReadOnlyDictionary<string, double> OutcomeRates,
    IReadOnlyList<string> DistinguishingColumns,
    string NameReason)
{
    public SegmentColumnStats Column(string name) => Columns.FirstOrDefault(c => c.Column == name)
        ?? throw new OptionsValidationException($"Profile has no column '{name}'.");
}

/// <summary>Builds segment profiles and rule-based names.
/// Naming rules (threshold t = <see cref="ProfileOptions.NamingThreshold"/>, role SMD = mean SMD of the role's columns):
/// Spend &gt;= t "high value", &lt;= -t "budget"; Usage &gt;= t "tech enthusiasts", &lt;= -t "light users";
/// Frequency &gt;= t "frequent", &lt;= -t "occasional". Traits are joined with ", ". With no role trait the top
/// distinguishing column names it ("high Grocery" / "low Fresh") if |SMD| &gt;= t, else "mainstream".
/// Repeated names get " #id". Analyst overrides win.</summary>
public static class SegmentProfiler
{
    public static IReadOnlyList<SegmentProfile> Build(FeatureMatrix features, IReadOnlyList<int> labels,
        IReadOnlyDictionary<string, double[]>? outcomes = null, ProfileOptions? options = null)
    {
        options ??= new ProfileOptions();
        if (labels.Count != features.Rows) throw new OptionsValidationException($"Profiles: {labels.Count} labels for {features.Rows} rows.");
        foreach (var (name, values) in outcomes ?? new Dictionary<string, double[]>())
            if (values.Length != features.Rows) throw new OptionsValidationException($"Outcome column '{name}' has {values.Length} values for {features.Rows} rows.");
        var smdBasis = Scaling.ApplyLog1p(features, new HashSet<string>(options.Log1pColumns, StringComparer.Ordinal));
        int n = features.Rows, d = features.Columns;
        var roles = Enumerable.Range(0, d).Select(j => RoleOf(features.ColumnNames[j], options.ColumnRoles)).ToArray();
        var segments = labels.Where(l => l >= 0).Distinct().Order().ToArray();
        var profiles = new List<SegmentProfile>();
        var inv = CultureInfo.InvariantCulture;
        foreach (var s in segments)
        {
            var inRows = Enumerable.Range(0, n).Where(i => labels[i] == s).ToArray();
            var outRows = Enumerable.Range(0, n).Where(i => labels[i] != s).ToArray();
            var stats = new List<SegmentColumnStats>();
            for (int j = 0; j < d; j++)
            {
                var raw = inRows.Select(i => features[i, j]).ToArray();
                var sorted = raw.Order().ToArray();
                double smd = Smd(inRows.Select(i => smdBasis[i, j]).ToArray(), outRows.Select(i => smdBasis[i, j]).ToArray());
                stats.Add(new SegmentColumnStats(features.ColumnNames[j], raw.Average(), Scaling.Quantile(sorted, 0.5), smd));
            }
            var rates = (outcomes ?? new Dictionary<string, double[]>()).ToDictionary(kv => kv.Key, kv => inRows.Average(i => kv.Value[i]));
            var top = stats.OrderByDescending(c => Math.Abs(c.StandardizedMeanDifference)).ThenBy(c => c.Column, StringComparer.Ordinal)
                .Take(options.TopDistinguishing).ToList();

            var traits = new List<string>(); var why = new List<string>();
            void Trait(ColumnRole role, string high, string low)
            {
                var cols = Enumerable.Range(0, d).Where(j => roles[j] == role).ToArray();
                if (cols.Length == 0) return;
                double m = cols.Average(j => stats[j].StandardizedMeanDifference);
                if (m >= options.NamingThreshold) { traits.Add(high); why.Add(string.Format(inv, "{0} columns average SMD {1:+0.00;-0.00}", role, m)); }
                else if (m <= -options.NamingThreshold) { traits.Add(low); why.Add(string.Format(inv, "{0} columns average SMD {1:+0.00;-0.00}", role, m)); }
            }
            Trait(ColumnRole.Spend, "high value", "budget");
            Trait(ColumnRole.Usage, "tech enthusiasts", "light users");
            Trait(ColumnRole.Frequency, "frequent", "occasional");
            string name;
            if (traits.Count > 0) name = string.Join(", ", traits);
            else if (top.Count > 0 && Math.Abs(top[0].StandardizedMeanDifference) >= options.NamingThreshold)
            {
                name = (top[0].StandardizedMeanDifference > 0 ? "high " : "low ") + top[0].Column;
                why.Add(string.Format(inv, "top distinguishing column {0} has SMD {1:+0.00;-0.00}", top[0].Column, top[0].StandardizedMeanDifference));
            }
            else { name = "mainstream"; why.Add(string.Format(inv, "no trait reaches |SMD| >= {0:0.00}", options.NamingThreshold)); }
            string reason = string.Join("; ", why);
            if (options.NameOverrides is not null && options.NameOverrides.TryGetValue(s, out var custom)) { name = custom; reason = "set by the analyst"; }
            profiles.Add(new SegmentProfile(s, name, inRows.Length, (double)inRows.Length / n, stats, rates, top.Select(c => c.Column).ToArray(), reason));
        }
        // Make repeated suggested names distinct (analyst names are kept as given).
        var dup = profiles.GroupBy(p => p.Name).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();
        return profiles.Select(p => dup.Contains(p.Name) && p.NameReason != "set by the analyst" ? p with { Name = $"{p.Name} #{p.Segment}" } : p).ToArray();
    }

    internal static double Smd(double[] a, double[] b)
    {
        if (a.Length == 0 || b.Length == 0) return 0;
        double ma = a.Average(), mb = b.Average();
        double va = a.Sum(v => (v - ma) * (v - ma)) / Math.Max(1, a.Length - 1);
        double vb = b.Sum(v => (v - mb) * (v - mb)) / Math.Max(1, b.Length - 1);
        double sd = Math.Sqrt((va + vb) / 2);
        return sd > 1e-12 ? (ma - mb) / sd : 0;
    }

    internal static ColumnRole RoleOf(string column, IReadOnlyDictionary<string, ColumnRole>? roles)
    {
        if (roles is not null && roles.TryGetValue(column, out var r)) return r;
        var c = column.ToLowerInvariant();
        if (new[] { "spend", "revenue", "arr", "amount", "value" }.Any(c.Contains)) return ColumnRole.Spend;
        if (new[] { "usage", "utilization", "utilisation", "seats_used", "active" }.Any(c.Contains)) return ColumnRole.Usage;
        if (new[] { "frequency", "orders", "logins", "visits", "sessions", "purchases" }.Any(c.Contains)) return ColumnRole.Frequency;
        return ColumnRole.Other;
    }
}
