using Microsoft.FSharp.Core;
using Plotly.NET.LayoutObjects;
using Plotly.NET.TraceObjects;
using Workbench.Analytics.Segmentation;
using System.Globalization;
using System.Text;
using CS = Plotly.NET.CSharp;

namespace Workbench.Reporting.Segmentation;

/// <summary>Charts for segmentation results. They only draw what the Analytics result objects already hold.</summary>
public static class SegmentationCharts
{
    /// <summary>Inertia against k, with the detected elbow marked.</summary>
    public static GenericChart Elbow(KSelection selection)
    {
        var line = CS.Chart.Line<int, double, string>(x: selection.Ks, y: selection.Inertia, ShowMarkers: true, Name: "inertia");
        var elbow = CS.Chart.Point<int, double, string>(x: [selection.ElbowK], y: [selection.Inertia[selection.ElbowK - 1]], Name: $"elbow (k={selection.ElbowK})");
        return Titled(CS.Chart.Combine([line, elbow]), "Elbow: K-Means inertia by k", "k", "inertia (within-cluster sum of squares)");
    }

    /// <summary>Mean silhouette against k.</summary>
    public static GenericChart SilhouetteByK(KSelection selection)
    {
        var chart = CS.Chart.Line<int, double, string>(x: selection.CandidateKs, y: selection.SilhouetteMeans, ShowMarkers: true, Name: "mean silhouette");
        return Titled(chart, "Silhouette by k", "k", "mean silhouette");
    }

    /// <summary>Per-row silhouette values sorted within each segment (the classic silhouette plot), one bar trace per segment.</summary>
    public static GenericChart SilhouettePlot(SilhouetteResult silhouette, IReadOnlyList<int> assignments)
    {
        var traces = new List<GenericChart>();
        int offset = 0;
        foreach (var group in Enumerable.Range(0, silhouette.RowIndices.Length).GroupBy(p => assignments[silhouette.RowIndices[p]]).OrderBy(g => g.Key))
        {
            var vals = group.Select(p => silhouette.Values[p]).OrderByDescending(v => v).ToArray();
            var ys = Enumerable.Range(offset, vals.Length).ToArray();
            traces.Add(CS.Chart.Bar<double, int, string>(values: vals, Keys: ys, Name: $"segment {group.Key}"));
            offset += vals.Length + 5;
        }
        // One segment (DBSCAN finding a single cluster plus noise, or k = 1) has no silhouette: an empty plot that says so.
        if (traces.Count == 0)
            return Titled(CS.Chart.Bar<double, int, string>(values: Array.Empty<double>(), Keys: Array.Empty<int>(), Name: "no silhouette"),
                "Silhouette plot: not defined for a single segment", "silhouette", "rows");
        return Titled(CS.Chart.Combine(traces), $"Silhouette plot (mean {silhouette.Mean.ToString("0.000", Workbench.RunContext.Culture)})", "silhouette", "rows");
    }

    /// <summary>Gap(k) with error bars s_k; the chosen k marked.</summary>
    public static GenericChart Gap(GapResult gap)
    {
        var line = CS.Chart.Line<int, double, string>(x: gap.Ks, y: gap.Gap, ShowMarkers: true, Name: "Gap(k)");
        // F# optional parameters are positional FSharpOption arguments from C#: Visible, Type, Symmetric, Array, then unused ones.
        var error = Error.init<double, double>(FSharpOption<bool>.Some(true), FSharpOption<StyleParam.ErrorType>.Some(StyleParam.ErrorType.Data),
            FSharpOption<bool>.Some(true), FSharpOption<IEnumerable<double>>.Some(gap.StandardError),
            null, null, null, null, null, null, null, null, null, null, null);
        line = Chart.withYError(error).Invoke(line);
        var chosen = CS.Chart.Point<int, double, string>(x: [gap.ChosenK], y: [gap.Gap[gap.ChosenK - 1]], Name: $"chosen k={gap.ChosenK}");
        return Titled(CS.Chart.Combine([line, chosen]), "Gap statistic (error bars: s_k)", "k", "Gap(k)");
    }

    /// <summary>Gaussian-mixture BIC and AIC against k (needs a selection run with mixtures).</summary>
    public static GenericChart Bic(KSelection selection)
    {
        if (selection.MixtureBic is null || selection.MixtureAic is null)
            throw new WorkbenchException("This k selection has no mixture BIC; run it with IncludeMixtureBic = true.");
        var bic = CS.Chart.Line<int, double, string>(x: selection.CandidateKs, y: selection.MixtureBic, ShowMarkers: true, Name: "BIC");
        var aic = CS.Chart.Line<int, double, string>(x: selection.CandidateKs, y: selection.MixtureAic, ShowMarkers: true, Name: "AIC");
        return Titled(CS.Chart.Combine([bic, aic]), "Gaussian mixture information criteria (lower is better)", "k", "criterion");
    }

    /// <summary>Sorted k-distance curve with the suggested eps.</summary>
    public static GenericChart KDistance(KDistanceCurve curve)
    {
        var line = CS.Chart.Line<int, double, string>(x: Enumerable.Range(0, curve.SortedDistances.Length), y: curve.SortedDistances, Name: $"{curve.K}-distance");
        var knee = CS.Chart.Point<int, double, string>(x: [curve.KneeIndex], y: [curve.SuggestedEpsilon],
            Name: $"suggested eps {curve.SuggestedEpsilon.ToString("0.###", Workbench.RunContext.Culture)}");
        return Titled(CS.Chart.Combine([line, knee]), $"{curve.K}-distance curve (DBSCAN eps)", "rows sorted by distance", $"distance to {curve.K}-th neighbour");
    }

    /// <summary>Parallel coordinates of the clustered (scaled) features, lines coloured by segment.</summary>
    public static GenericChart ParallelCoordinates(SegmentationResult result) =>
        ParallelCoordinates(result.ClusteredData, result.Assignments);

    /// <summary>Parallel coordinates of any feature matrix, lines coloured by segment.</summary>
    public static GenericChart ParallelCoordinates(FeatureMatrix features, IReadOnlyList<int> segments) =>
        ParallelCoordinates(features.ColumnNames, features.Column, segments);

    static GenericChart ParallelCoordinates(IReadOnlyList<string> columnNames, Func<int, IEnumerable<double>> column, IEnumerable<int> segments)
    {
        var dims = Enumerable.Range(0, columnNames.Count).Select(j => Dimension.initParallel<string, double, string, double>(
            null, FSharpOption<string>.Some(columnNames[j]), null, null, null, null, null, null, null,
            FSharpOption<IEnumerable<double>>.Some(column(j)), null, null)).ToArray();
        var chart = CS.Chart.ParallelCoord(dims,
            LineColor: Color.fromColorScaleValues(segments),
            LineColorScale: StyleParam.Colorscale.Viridis);
        return Titled(chart, "Segments in parallel coordinates", "", "");
    }

    /// <summary>Rows on the first two principal components, one trace per segment (named from the profiles).</summary>
    public static GenericChart PcaScatter(SegmentationResult result) =>
        PcaScatter(result, PcaScatterPoints(result).Select(t => (t.Segment, (IEnumerable<double>)t.X, (IEnumerable<double>)t.Y)));

    static GenericChart PcaScatter(SegmentationResult result, IEnumerable<(int Segment, IEnumerable<double> X, IEnumerable<double> Y)> traces)
    {
        var charts = traces.Select(t => CS.Chart.Point<double, double, string>(x: t.X, y: t.Y,
            Name: t.Segment < 0 ? "noise" : $"{t.Segment}: {result.SegmentName(t.Segment)}")).ToArray();
        var r = result.Pca.ExplainedVarianceRatio;
        return Titled(CS.Chart.Combine(charts), "Segments on principal components",
            $"PC1 ({r[0].ToString("P1", Workbench.RunContext.Culture)})", $"PC2 ({r[1].ToString("P1", Workbench.RunContext.Culture)})");
    }

    /// <summary>Each segment's rows on the first two components, segments ascending, rows in input order.</summary>
    static (int Segment, double[] X, double[] Y)[] PcaScatterPoints(SegmentationResult result)
    {
        var scores = result.PcaScores;
        if (scores.Columns < 2) throw new WorkbenchException("PCA scatter needs at least two components.");
        return result.Assignments.Select((s, i) => (s, i)).GroupBy(t => t.s).OrderBy(g => g.Key)
            .Select(g => (g.Key, g.Select(t => scores[t.i, 0]).ToArray(), g.Select(t => scores[t.i, 1]).ToArray())).ToArray();
    }

    /// <summary><see cref="ToJson"/> of <see cref="ParallelCoordinates(FeatureMatrix, IReadOnlyList{int})"/>, the same
    /// text, with the row arrays written directly (<see cref="WithArrays"/>).</summary>
    public static string ParallelCoordinatesJson(FeatureMatrix features, IReadOnlyList<int> segments)
    {
        var columns = Enumerable.Range(0, features.Columns).Select(features.Column).ToArray();
        var standIns = columns.Select((_, j) => DoubleStandIn(j)).ToArray();
        var chart = ParallelCoordinates(features.ColumnNames, j => [standIns[j]], [IntStandIn]);
        var arrays = columns.Select((c, j) => (Number(standIns[j]), (Action<StringBuilder>)(sb => AppendArray(sb, c))))
            .Append((IntStandIn.ToString(CultureInfo.InvariantCulture), sb => AppendArray(sb, segments))).ToArray();
        return WithArrays(chart, arrays, () => ToJson(ParallelCoordinates(features, segments)));
    }

    /// <summary><see cref="ToJson"/> of <see cref="PcaScatter(SegmentationResult)"/>, the same text, with the row arrays
    /// written directly (<see cref="WithArrays"/>).</summary>
    public static string PcaScatterJson(SegmentationResult result)
    {
        var points = PcaScatterPoints(result);
        var arrays = new List<(string, Action<StringBuilder>)>();
        var traces = points.Select((p, t) =>
        {
            double xs = DoubleStandIn(2 * t), ys = DoubleStandIn(2 * t + 1);
            arrays.Add((Number(xs), sb => AppendArray(sb, p.X)));
            arrays.Add((Number(ys), sb => AppendArray(sb, p.Y)));
            return (p.Segment, (IEnumerable<double>)new[] { xs }, (IEnumerable<double>)new[] { ys });
        }).ToArray();
        return WithArrays(PcaScatter(result, traces), arrays, () => ToJson(PcaScatter(result)));
    }

    /// <summary>Plotly.NET serializes a chart through Newtonsoft.Json over its dynamic objects, which takes seconds for
    /// traces of 100,000 points (a 100,000-account run's parallel coordinates and PCA scatter: about 7 s of CPU). The
    /// chart is therefore serialized with a one-element stand-in array per large array, and each stand-in is replaced by
    /// the array written here in Newtonsoft's number format (doubles, finite in a <see cref="FeatureMatrix"/>: the round-trip
    /// "R" text, ".0" added when it has no decimal point or exponent; ints as they are). A stand-in that is not found exactly once (never seen) falls
    /// back to <paramref name="slow"/>, Plotly.NET's own text.</summary>
    static string WithArrays(GenericChart chart, IReadOnlyList<(string StandIn, Action<StringBuilder> Write)> arrays, Func<string> slow)
    {
        var json = ToJson(chart);
        var at = new List<(int Index, int Length, Action<StringBuilder> Write)>();
        foreach (var (standIn, write) in arrays)
        {
            string token = "[" + standIn + "]";
            int i = json.IndexOf(token, StringComparison.Ordinal);
            if (i < 0 || json.IndexOf(token, i + 1, StringComparison.Ordinal) >= 0) return slow();
            at.Add((i, token.Length, write));
        }
        at.Sort((a, b) => a.Index.CompareTo(b.Index));
        var sb = new StringBuilder();
        int from = 0;
        foreach (var (index, length, write) in at)
        {
            sb.Append(json, from, index - from).Append('[');
            write(sb);
            sb.Append(']');
            from = index + length;
        }
        return sb.Append(json, from, json.Length - from).ToString();
    }

    // Stand-ins: neighbouring doubles near -1.23e300 and an int no segment has, each printed once in the chart's text.
    static double DoubleStandIn(int i) => BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(-1.2345678901234567E+300) + i);
    const int IntStandIn = int.MinValue + 12345;

    /// <summary>A finite double as Newtonsoft.Json writes it (JsonConvert.ToString: "R", then ".0" if needed).</summary>
    static string Number(double v)
    {
        var sb = new StringBuilder();
        AppendNumber(sb, v);
        return sb.ToString();
    }

    static void AppendNumber(StringBuilder sb, double v)
    {
        Span<char> text = stackalloc char[32];
        v.TryFormat(text, out int n, "R", CultureInfo.InvariantCulture);
        sb.Append(text[..n]);
        if (text[..n].IndexOfAny('.', 'E', 'e') < 0) sb.Append(".0");
    }

    static void AppendArray(StringBuilder sb, double[] values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (i > 0) sb.Append(',');
            AppendNumber(sb, values[i]);
        }
    }

    static void AppendArray(StringBuilder sb, IReadOnlyList<int> values)
    {
        for (int i = 0; i < values.Count; i++)
        {
            if (i > 0) sb.Append(',');
            sb.Append(values[i]);
        }
    }

    /// <summary>The chart as Plotly JSON (what tests and the notebook display read): Plotly.NET's text, with the layout's
    /// template written from a kept text (<see cref="TemplateJson"/>).</summary>
    public static string ToJson(GenericChart chart) => TemplateJson.ToJson(chart);

    /// <summary>Plotly.NET serializes a layout's template (its default one: 9 KB of JSON) through its dynamic objects with
    /// about 115 MB of allocations, 0.2-0.5 s of CPU, for every chart (the rest of a small chart takes under a millisecond),
    /// and a segmentation writes seven charts (docs/scale.md, runfast7). The first chart's template text is taken from a full
    /// serialization (the full text minus that of the same chart with a stand-in string for the template, checked to be that
    /// splice exactly) and kept with its template object; a later chart whose template is structurally the same (the same
    /// property names in the same order and equal values, walked without serializing: each chart carries its own copy)
    /// is serialized with the stand-in and gets the kept text spliced in. Anything else gives Plotly.NET's own text.</summary>
    static class TemplateJson
    {
        const string StandIn = "workbench-template-stand-in-8c1f";
        static readonly object Gate = new();
        static (object Template, string Text)? kept;

        public static string ToJson(GenericChart chart)
        {
            var layout = GenericChart.getLayout(chart);
            var found = layout.TryGetPropertyValue("template");
            if (found is null || found.Value is not DynamicObj.DynamicObj template) return GenericChart.toJson(chart);
            var standInLayout = new Layout();
            foreach (var property in layout.GetProperties(false))
                standInLayout.SetProperty(property.Key, property.Key == "template" ? StandIn : property.Value);
            var withStandIn = GenericChart.toJson(GenericChart.setLayout(standInLayout, chart));
            const string key = "\"template\":";
            string token = key + "\"" + StandIn + "\"";
            int at = withStandIn.IndexOf(token, StringComparison.Ordinal);
            if (at < 0 || withStandIn.IndexOf(token, at + 1, StringComparison.Ordinal) >= 0) return GenericChart.toJson(chart);
            string prefix = withStandIn[..(at + key.Length)], suffix = withStandIn[(at + token.Length)..];
            var k = kept;
            if (k is { } known && Same(template, known.Template)) return string.Concat(prefix, known.Text, suffix);
            var full = GenericChart.toJson(chart);
            if (full.Length > prefix.Length + suffix.Length && full.StartsWith(prefix, StringComparison.Ordinal) && full.EndsWith(suffix, StringComparison.Ordinal))
                lock (Gate) kept ??= (template, full[prefix.Length..^suffix.Length]);
            return full;
        }

        /// <summary>Structural equality of template values: dynamic objects by their properties in order, sequences item by
        /// item, anything else by its own Equals (strings, numbers, F# unions and records).</summary>
        static bool Same(object? a, object? b)
        {
            if (ReferenceEquals(a, b)) return true;
            if (a is null || b is null || a.GetType() != b.GetType()) return false;
            if (a is DynamicObj.DynamicObj da)
            {
                using var pa = da.GetProperties(true).GetEnumerator();
                using var pb = ((DynamicObj.DynamicObj)b).GetProperties(true).GetEnumerator();
                while (true)
                {
                    bool ma = pa.MoveNext(), mb = pb.MoveNext();
                    if (ma != mb) return false;
                    if (!ma) return true;
                    if (pa.Current.Key != pb.Current.Key || !Same(pa.Current.Value, pb.Current.Value)) return false;
                }
            }
            if (a is string) return a.Equals(b);
            if (a is System.Collections.IEnumerable ea)
            {
                var ia = ea.GetEnumerator(); var ib = ((System.Collections.IEnumerable)b).GetEnumerator();
                while (true)
                {
                    bool ma = ia.MoveNext(), mb = ib.MoveNext();
                    if (ma != mb) return false;
                    if (!ma) return true;
                    if (!Same(ia.Current, ib.Current)) return false;
                }
            }
            return a.Equals(b);
        }
    }

    /// <summary>A chart's Plotly JSON, made when a page reaches it (<see cref="ToStandaloneHtml(string, IEnumerable{ValueTuple{string, Func{string}}})"/>).</summary>
    public static Func<string> Lazy(Func<GenericChart> chart) => () => ToJson(chart());

    /// <summary>The charts every segmentation page ends with: the silhouette plot, then the two charts of every row
    /// (parallel coordinates, and the PCA scatter when there are two components), those written without Plotly.NET's
    /// serializer (the same text).</summary>
    public static IEnumerable<(string Id, Func<string> Json)> RowCharts(SegmentationResult result)
    {
        yield return ("silhouette", Lazy(() => SilhouettePlot(result.Silhouette, result.Assignments)));
        yield return ("parallel-coordinates", () => ParallelCoordinatesJson(result.ClusteredData, result.Assignments));
        if (result.PcaScores.Columns >= 2) yield return ("pca-scatter", () => PcaScatterJson(result));
    }

    /// <summary>One self-contained HTML page holding the given charts, with plotly.js inlined once so it opens offline.
    /// Div ids come from the caller (Plotly.NET's own HTML uses random ids), so the same charts give the same bytes.</summary>
    public static string ToStandaloneHtml(string title, IEnumerable<(string Id, GenericChart Chart)> charts) =>
        ToStandaloneHtml(title, charts.Select(c => (c.Id, (Func<string>)(() => ToJson(c.Chart)))));

    /// <summary><see cref="ToStandaloneHtml(string, IEnumerable{ValueTuple{string, GenericChart}})"/> from each chart's
    /// Plotly JSON (e.g. <see cref="ParallelCoordinatesJson"/>), made when the page reaches it.</summary>
    public static string ToStandaloneHtml(string title, IEnumerable<(string Id, Func<string> Json)> charts)
    {
        var sb = new System.Text.StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(System.Net.WebUtility.HtmlEncode(title)).Append("</title>\n");
        sb.Append("<script type=\"text/javascript\">").Append(PlotlyJs.Value).Append("</script>\n</head>\n<body>\n");
        sb.Append("<h1 style=\"font-family:sans-serif\">").Append(System.Net.WebUtility.HtmlEncode(title)).Append("</h1>\n");
        foreach (var (id, json) in charts)
        {
            if (!System.Text.RegularExpressions.Regex.IsMatch(id, "^[A-Za-z][A-Za-z0-9_-]*$"))
                throw new WorkbenchException($"Chart id '{id}' must start with a letter and contain only letters, digits, '-' and '_'.");
            sb.Append("<div id=\"").Append(id).Append("\" style=\"width:100%;height:520px\"></div>\n");
            sb.Append("<script type=\"text/javascript\">(function(){var fig=").Append(json().Replace("</", "<\\/"))
              .Append(";Plotly.newPlot('").Append(id).Append("',fig.data,fig.layout,fig.config);})();</script>\n");
        }
        return sb.Append("</body>\n</html>\n").ToString();
    }

    /// <summary>The plotly.js bundle shipped inside Plotly.NET (the same one its "Full" reference inlines).</summary>
    internal static readonly Lazy<string> PlotlyJs = new(() =>
    {
        var asm = typeof(GenericChart).Assembly;
        var name = asm.GetManifestResourceNames().FirstOrDefault(n => n.StartsWith("Plotly.NET.plotly-", StringComparison.Ordinal) && n.EndsWith(".min.js", StringComparison.Ordinal))
            ?? throw new WorkbenchException("Plotly.NET does not carry an embedded plotly.js bundle; cannot write an offline chart page.");
        using var stream = asm.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    static GenericChart Titled(GenericChart chart, string title, string x, string y)
    {
        chart = Chart.withTitle(ChartText.WrapTitle(title), null).Invoke(chart);
        if (x.Length > 0) chart = CS.GenericChartExtensions.WithXAxisStyle<double, double, string>(chart, TitleText: x);
        if (y.Length > 0) chart = CS.GenericChartExtensions.WithYAxisStyle<double, double, string>(chart, TitleText: y);
        return chart;
    }
}
