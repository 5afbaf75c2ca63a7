using System.Globalization;
using System.Text.Json.Nodes;
using Workbench.Analytics.Segmentation;

namespace Workbench.Analytics.Actions;

/// <summary>
/// A fitted segmentation (the run's <c>segmentation</c> stage) applied to any account at any month: the account's profile
/// row as of that month (<see cref="AccountProfileFeatures"/>, point in time: whole months before it), the clustered
/// columns, missing values replaced by the fitted column medians, log1p and the fitted scaler, then the nearest segment
/// centroid (the mean of the segment's clustered rows: K-Means' own assignment rule; for the other methods a
/// nearest-centroid approximation). It is the observed segment of the action contexts: saved with the action policy, so
/// the run, <c>workbench actions --model FILE</c> and <c>workbench score</c> give each account the same segment. Never
/// reads truth.
/// </summary>
public sealed class ObservedSegments
{
    readonly string[] _columns;
    readonly int[] _columnIndex; // into AccountProfileFeatures.Columns
    readonly bool[] _log1p;
    readonly double[] _median, _center, _scale;
    readonly int[] _segments;
    readonly double[][] _centroids; // [segment][column], in the scaled space

    ObservedSegments(string[] columns, bool[] log1p, double[] median, double[] center, double[] scale, int[] segments, double[][] centroids)
    {
        _columns = columns; _log1p = log1p; _median = median; _center = center; _scale = scale; _segments = segments; _centroids = centroids;
        _columnIndex = columns.Select(c =>
        {
            int i = AccountProfileFeatures.Columns.ToList().IndexOf(c);
            return i >= 0 ? i : throw new WorkbenchException($"Observed segments: '{c}' is not an account profile column ({string.Join(", ", AccountProfileFeatures.Columns)}).");
        }).ToArray();
    }

    /// <summary>The segment ids (sorted).</summary>
    public IReadOnlyList<int> Segments => _segments;
    /// <summary>The clustered profile columns.</summary>
    public IReadOnlyList<string> Columns => _columns;

    /// <summary>From a segmentation of <paramref name="profiles"/> (as <c>PipelineStages.Segment</c> makes it).</summary>
    /// <exception cref="WorkbenchException">The segmentation clustered principal components (not supported here), or found no segment.</exception>
    public static ObservedSegments From(SegmentationResult result, AccountProfiles profiles)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(profiles);
        var scaler = result.Scaler;
        if (!result.ClusteredData.ColumnNames.SequenceEqual(scaler.ColumnNames))
            throw new WorkbenchException("Observed segments: the segmentation clustered principal components; only a segmentation of the scaled profile columns can be applied to the action contexts.");
        var columns = scaler.ColumnNames.ToArray();
        var all = profiles.All;
        var median = columns.Select(c =>
        {
            int j = all.ColumnIndex(c);
            var v = Enumerable.Range(0, all.Rows).Select(i => all[i, j]).Where(double.IsFinite).Order().ToArray();
            return v.Length == 0 ? 0 : Scaling.Quantile(v, 0.5);
        }).ToArray();
        var segments = result.Assignments.Where(s => s >= 0).Distinct().Order().ToArray();
        if (segments.Length == 0) throw new WorkbenchException("Observed segments: the segmentation found no segment (every account is noise).");
        var x = result.ClusteredData;
        var centroids = segments.Select(s =>
        {
            var rows = Enumerable.Range(0, x.Rows).Where(i => result.Assignments[i] == s).ToArray();
            return Enumerable.Range(0, x.Columns).Select(j => rows.Average(i => x[i, j])).ToArray();
        }).ToArray();
        return new ObservedSegments(columns, columns.Select(scaler.Log1pColumns.Contains).ToArray(), median,
            [.. scaler.Centers], [.. scaler.Scales], segments, centroids);
    }

    /// <summary>The segment of account index <paramref name="account"/> of <paramref name="panel"/> as of month index
    /// <paramref name="month"/> (reads whole months before it).</summary>
    public int Assign(MonthlyPanel panel, int account, int month)
    {
        var row = AccountFeatureCatalog.Row(panel, account, month, null);
        int best = 0; double bestDistance = double.PositiveInfinity;
        Span<double> z = stackalloc double[_columns.Length];
        for (int j = 0; j < _columns.Length; j++)
        {
            double v = row[_columnIndex[j]];
            if (!double.IsFinite(v)) v = _median[j];
            if (_log1p[j]) v = Math.Log(1 + Math.Max(0, v));
            z[j] = (v - _center[j]) / _scale[j];
        }
        for (int s = 0; s < _segments.Length; s++)
        {
            double d = 0;
            for (int j = 0; j < z.Length; j++) { double e = z[j] - _centroids[s][j]; d += e * e; }
            if (d < bestDistance) { bestDistance = d; best = s; }
        }
        return _segments[best];
    }

    internal JsonObject ToJson()
    {
        static JsonArray Nums(IEnumerable<double> xs) => new(xs.Select(x => (JsonNode)JsonValue.Create(x)!).ToArray());
        return new JsonObject
        {
            ["columns"] = new JsonArray(_columns.Select(c => (JsonNode)JsonValue.Create(c)!).ToArray()),
            ["log1p"] = new JsonArray(_log1p.Select(b => (JsonNode)JsonValue.Create(b)!).ToArray()),
            ["median"] = Nums(_median), ["center"] = Nums(_center), ["scale"] = Nums(_scale),
            ["segments"] = new JsonArray(_segments.Select(s => (JsonNode)JsonValue.Create(s)!).ToArray()),
            ["centroids"] = new JsonArray(_centroids.Select(c => (JsonNode)Nums(c)).ToArray()),
        };
    }

    internal static ObservedSegments FromJson(JsonObject j, string source)
    {
        try
        {
            var columns = j["columns"]!.AsArray().Select(n => n!.GetValue<string>()).ToArray();
            double[] Nums(JsonNode? n) => n!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
            var log1p = j["log1p"]!.AsArray().Select(n => n!.GetValue<bool>()).ToArray();
            var median = Nums(j["median"]); var center = Nums(j["center"]); var scale = Nums(j["scale"]);
            var segments = j["segments"]!.AsArray().Select(n => n!.GetValue<int>()).ToArray();
            var centroids = j["centroids"]!.AsArray().Select(Nums).ToArray();
            int d = columns.Length;
            if (log1p.Length != d || median.Length != d || center.Length != d || scale.Length != d || segments.Length == 0
                || centroids.Length != segments.Length || centroids.Any(c => c.Length != d))
                throw new WorkbenchException(string.Create(CultureInfo.InvariantCulture,
                    $"{source}: entry 'observed-segments.json' is inconsistent ({d} columns, {segments.Length} segments, {centroids.Length} centroids)."));
            return new ObservedSegments(columns, log1p, median, center, scale, segments, centroids);
        }
        catch (Exception ex) when (ex is NullReferenceException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new WorkbenchException($"{source}: entry 'observed-segments.json' is incomplete or has a value of the wrong type ({ex.Message}).");
        }
    }
}
