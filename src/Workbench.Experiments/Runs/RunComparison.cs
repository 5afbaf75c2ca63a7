namespace Workbench.Experiments.Runs;

/// <summary>One metric of two runs side by side; a value is null when that run lacks the metric.</summary>
public sealed record MetricDifference(string Metric, double? A, double? B)
{
    /// <summary>B - A, when both have the metric.</summary>
    public double? Difference => A is double a && B is double b ? b - a : null;
}

/// <summary>A spec parameter (JSON path into the filled spec) whose value differs between two runs.</summary>
public sealed record ParameterDifference(string Path, string? A, string? B);

/// <summary>Two runs compared: every metric of either run, and every parameter, data or code fact that differs.</summary>
public sealed record RunComparison(RunRecord A, RunRecord B, IReadOnlyList<MetricDifference> Metrics, IReadOnlyList<ParameterDifference> Parameters)
{
    public static RunComparison Of(RunRecord a, RunRecord b)
    {
        var names = a.Metrics.Keys.Union(b.Metrics.Keys).Order(StringComparer.Ordinal);
        var metrics = names.Select(n => new MetricDifference(n, a.Metrics.TryGetValue(n, out var x) ? x : null, b.Metrics.TryGetValue(n, out var y) ? y : null)).ToList();
        var pa = Flatten(a); var pb = Flatten(b);
        var parameters = pa.Keys.Union(pb.Keys).Order(StringComparer.Ordinal)
            .Select(k => new ParameterDifference(k, pa.GetValueOrDefault(k), pb.GetValueOrDefault(k)))
            .Where(d => d.A != d.B).ToList();
        return new RunComparison(a, b, metrics, parameters);
    }

    /// <summary>The filled spec as "path = value" pairs, plus the data fingerprint and the code version.</summary>
    static Dictionary<string, string> Flatten(RunRecord r)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        if (r.Spec is { } spec) Walk(spec, "spec", d);
        if (r.Data is { } data) { d["data.path"] = data.Path; d["data.sha256"] = data.Sha256; }
        if (r.Code is { } code) { d["code.commit"] = code.Commit; d["code.dirty"] = code.Dirty ? "true" : "false"; }
        return d;
    }

    static void Walk(JsonElement e, string path, Dictionary<string, string> into)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject()) Walk(p.Value, path + "." + p.Name, into);
                break;
            case JsonValueKind.Array:
                into[path] = "[" + string.Join(", ", e.EnumerateArray().Select(x => x.GetRawText())) + "]";
                break;
            case JsonValueKind.String: into[path] = e.GetString()!; break;
            default: into[path] = e.GetRawText(); break;
        }
    }

    /// <summary>A metric value as text: invariant, up to 4 decimals.</summary>
    public static string Format(double? v) => v is double x ? x.ToString("0.####", CultureInfo.InvariantCulture) : "-";
}
