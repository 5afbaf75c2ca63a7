namespace Workbench.Analytics.Explanation;

/// <summary>Fills a registry template with an account's own numbers, formatted by unit: shares as percentages,
/// money as dollars, counts as whole numbers, categories by name.</summary>
internal sealed class SentenceWriter(FeatureBuilder categories, Func<string, string> productName)
{
    static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public string Sentence(FeatureDefinition d, FeatureTable table, int row, double value)
    {
        // A missing value can be a reason in itself (no survey answered, no usage reported): say so plainly.
        if (double.IsNaN(value)) return $"{d.Description} is not recorded";
        var (text, beforeAfter) = Template(d, table.ProductId(row));
        if (beforeAfter)
        {
            if (FeatureDetails.BeforeAfter(table, row, d.Name) is { } ba && !double.IsNaN(ba.Before) && !double.IsNaN(ba.After))
                text = text.Replace("{before}", Base(d.Name, ba.Before)).Replace("{after}", Base(d.Name, ba.After));
            else
                return $"{d.Description}: {Value(d, value)}";
        }
        var valueText = Value(d, value);
        return Agree(text.Replace("{value}", valueText), valueText);
    }

    // The template with the product and window filled in, per feature and product id, and whether it names the two ends
    // of a change: the same text for every row of that feature and product (row after row, this was two string
    // replacements and two searches per sentence). Worker threads share the writer, so the cache is concurrent.
    readonly System.Collections.Concurrent.ConcurrentDictionary<(FeatureDefinition, string), (string Text, bool BeforeAfter)> _templates = new(TemplateKey.Instance);

    /// <summary>The definition by reference (a record's value equality would hash every field per lookup), the id by text.</summary>
    sealed class TemplateKey : IEqualityComparer<(FeatureDefinition, string)>
    {
        public static readonly TemplateKey Instance = new();
        public bool Equals((FeatureDefinition, string) x, (FeatureDefinition, string) y) => ReferenceEquals(x.Item1, y.Item1) && string.Equals(x.Item2, y.Item2, StringComparison.Ordinal);
        public int GetHashCode((FeatureDefinition, string) k) => HashCode.Combine(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(k.Item1), string.GetHashCode(k.Item2, StringComparison.Ordinal));
    }

    (string Text, bool BeforeAfter) Template(FeatureDefinition d, string productId) =>
        _templates.GetOrAdd((d, productId), key =>
        {
            var (def, product) = key;
            var text = def.SentenceTemplate
                .Replace("{product}", productName(product))
                .Replace("{window}", def.WindowMonths > 0 ? $"last 3 months against the last {def.WindowMonths}" : "");
            return (text, text.Contains("{before}") || text.Contains("{after}"));
        });

    static readonly System.Text.RegularExpressions.Regex SingularAfterOne = new(
        @"(?<![\d.,])1 (meeting|training|email|support ticket|ticket|month|product|seat|employee|active user|key action|severity point)s\b",
        System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>Number agreement for counts: "1 meeting", "1 time", "1 email was"; templates say "time(s)" so
    /// the registry reads naturally on its own.</summary>
    internal static string Agree(string text, string valueText)
    {
        if (valueText != "1") return text.Replace("time(s)", "times");
        text = text.Replace("1 time(s)", "1 time").Replace("1 emails were", "1 email was");
        return SingularAfterOne.Replace(text, "1 $1");
    }

    /// <summary>A value in the feature's own unit.</summary>
    public string Value(FeatureDefinition d, double v)
    {
        if (double.IsNaN(v)) return "unknown";
        if (d.IsCategorical)
        {
            var names = categories.CategoryNames(d.Name);
            int i = (int)Math.Round(v);
            return i >= 0 && i < names.Count ? names[i] : v.ToString("0", C);
        }
        return d.Unit switch
        {
            "%" => (100 * v).ToString("0", C) + "%",
            "pp" => (100 * v).ToString("+0;-0;0", C) + " points",
            "ratio" => (100 * v).ToString("+0;-0;0", C) + "%",
            "$/month" => Dollars(v),
            "log1p $/month" => Dollars(Math.Exp(v) - 1),
            "log10 employees" => Math.Pow(10, v).ToString("N0", C),
            "score" or "severity" or "severity points" or "actions/$1k" => v.ToString("0.#", C),
            _ => v.ToString(Math.Abs(v) >= 100 ? "N0" : "0.#", C),
        };
    }

    /// <summary>The underlying series' unit for the two ends of a change.</summary>
    static string Base(string feature, double v) =>
        feature.StartsWith("utilization", StringComparison.Ordinal) ? (100 * v).ToString("0", C) + "%"
        : feature.StartsWith("spend", StringComparison.Ordinal) ? Dollars(v)
        : v.ToString(Math.Abs(v) >= 100 ? "N0" : "0.#", C);

    static string Dollars(double v) => "$" + v.ToString(Math.Abs(v) >= 100 ? "N0" : "N2", C);
}
