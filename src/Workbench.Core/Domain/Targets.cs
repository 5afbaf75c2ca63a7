namespace Workbench.Domain;

/// <summary>What a propensity model predicts for an account-product.</summary>
public enum PropensityTarget
{
    /// <summary>The account-product stops or shrinks (revenue at risk).</summary>
    Churn,
    /// <summary>The account-product grows (expected upsell).</summary>
    Upsell,
}

/// <summary>What a rep should do first with an account: keep the revenue at risk or grow it.</summary>
public enum AccountFocus
{
    /// <summary>Revenue at risk outweighs the expected upsell: the churn narrative is told.</summary>
    Retain,
    /// <summary>Expected upsell outweighs the revenue at risk: the upsell narrative is told.</summary>
    Expand,
}

/// <summary>The lowercase names targets and focus carry in every output (CSV, JSON, narratives, charts, metric keys):
/// "churn", "upsell", "retain", "expand".</summary>
public static class DomainNames
{
    /// <summary>"churn" or "upsell".</summary>
    public static string Name(this PropensityTarget target) => target switch
    {
        PropensityTarget.Churn => "churn",
        PropensityTarget.Upsell => "upsell",
        _ => throw new ArgumentOutOfRangeException(nameof(target), target, null),
    };

    /// <summary>"retain" or "expand".</summary>
    public static string Name(this AccountFocus focus) => focus switch
    {
        AccountFocus.Retain => "retain",
        AccountFocus.Expand => "expand",
        _ => throw new ArgumentOutOfRangeException(nameof(focus), focus, null),
    };

    /// <summary>The target named <paramref name="name"/> ("churn" or "upsell", exactly as <see cref="Name(PropensityTarget)"/> writes it).</summary>
    public static bool TryParseTarget(string? name, out PropensityTarget target)
    {
        foreach (var t in Enum.GetValues<PropensityTarget>())
            if (t.Name() == name) { target = t; return true; }
        target = default;
        return false;
    }
}
