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
        var text = d.SentenceTemplate
            .Replace("{product}", productName(table.ProductId(row)))
            .Replace("{window}", d.WindowMonths > 0 ? $"last 3 months against the last {d.WindowMonths}" : "");
        if (text.Contains("{before}") || text.Contains("{after}"))
        {
            if (FeatureDetails.BeforeAfter(table, row, d.Name) is { } ba && !double.IsNaN(ba.Before) && !double.IsNaN(ba.After))
                text = text.Replace("{before}", Base(d.Name, ba.Before)).Replace("{after}", Base(d.Name, ba.After));
            else
                return $"{d.Description}: {Value(d, value)}";
        }
        var valueText = Value(d, value);
        return Agree(text.Replace("{value}", valueText), valueText);
    }

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
