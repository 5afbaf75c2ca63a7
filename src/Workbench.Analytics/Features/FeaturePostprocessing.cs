namespace Workbench.Analytics.Features;

/// <summary>Transforms that run after feature computation. All are cross-sectional: statistics come from rows
/// of the same as-of date only, so no transform lets one date see another.</summary>
internal static class FeaturePostprocessing
{
    /// <summary>Whether every row's post-processed values depend on that row alone (log1p of money does; winsorizing and
    /// median imputation read the whole as-of date's column), so features of a subset of snapshots equal the full table's rows.</summary>
    public static bool IsRowLocal(FeatureOptions options) =>
        options.WinsorizeQuantile is null && options.Missing != MissingValuePolicy.MedianWithIndicator;

    public static FeatureTable LogMoney(FeatureTable t)
    {
        var values = (float[])t.Values.Clone();
        var money = Enumerable.Range(0, t.ColumnCount).Where(j => t.Registry.Definitions[j].Unit == "$/month").ToArray();
        for (int i = 0; i < t.RowCount; i++)
            foreach (int j in money)
            {
                ref float v = ref values[(long)i * t.ColumnCount + j];
                if (!float.IsNaN(v)) v = MathF.Log(1 + MathF.Max(0, v));
            }
        var defs = t.Registry.Definitions.Select(d => d.Unit == "$/month" ? d with { Unit = "log1p $/month", Description = d.Description + " (log1p)" } : d);
        return new FeatureTable(t.Panel, t.Snapshots, new FeatureRegistry(defs), values);
    }

    public static FeatureTable Winsorize(FeatureTable t, double q)
    {
        var values = (float[])t.Values.Clone();
        foreach (var rows in RowsByAsOf(t))
            for (int j = 0; j < t.ColumnCount; j++)
            {
                if (t.Registry.Definitions[j].IsCategorical) continue;
                var col = rows.Select(i => values[(long)i * t.ColumnCount + j]).Where(v => !float.IsNaN(v)).Order().ToArray();
                if (col.Length < 3) continue;
                float lo = col[(int)Math.Floor(q * (col.Length - 1))], hi = col[(int)Math.Ceiling((1 - q) * (col.Length - 1))];
                foreach (int i in rows)
                {
                    ref float v = ref values[(long)i * t.ColumnCount + j];
                    if (!float.IsNaN(v)) v = Math.Clamp(v, lo, hi);
                }
            }
        return new FeatureTable(t.Panel, t.Snapshots, t.Registry, values);
    }

    public static FeatureTable ImputeMedianWithIndicator(FeatureTable t)
    {
        int d = t.ColumnCount;
        var withMissing = Enumerable.Range(0, d).Where(j => Enumerable.Range(0, t.RowCount).Any(i => float.IsNaN(t.Values[(long)i * d + j]))).ToArray();
        int d2 = d + withMissing.Length;
        var values = new float[(long)t.RowCount * d2];
        for (int i = 0; i < t.RowCount; i++) t.Row(i).CopyTo(values.AsSpan((int)((long)i * d2), d));
        foreach (var rows in RowsByAsOf(t))
            for (int k = 0; k < withMissing.Length; k++)
            {
                int j = withMissing[k];
                var present = rows.Select(i => t.Values[(long)i * d + j]).Where(v => !float.IsNaN(v)).Order().ToArray();
                float median = present.Length == 0 ? 0 : present.Length % 2 == 1 ? present[present.Length / 2] : (present[present.Length / 2 - 1] + present[present.Length / 2]) / 2;
                foreach (int i in rows)
                {
                    bool missing = float.IsNaN(values[(long)i * d2 + j]);
                    if (missing) values[(long)i * d2 + j] = median;
                    values[(long)i * d2 + d + k] = missing ? 1 : 0;
                }
            }
        var defs = t.Registry.Definitions.Concat(withMissing.Select(j =>
        {
            var src = t.Registry.Definitions[j];
            return new FeatureDefinition(src.Name + "_missing", src.ConceptGroup, $"1 when '{src.Name}' was not observed (then imputed with the as-of median)",
                "flag", BetterDirection.Neutral, $"{src.Description} was not observed", src.WindowMonths);
        }));
        return new FeatureTable(t.Panel, t.Snapshots, new FeatureRegistry(defs), values);
    }

    static IEnumerable<int[]> RowsByAsOf(FeatureTable t) =>
        Enumerable.Range(0, t.RowCount).GroupBy(i => t.Snapshots[i].AsOfMonth).OrderBy(g => g.Key).Select(g => g.ToArray());
}
