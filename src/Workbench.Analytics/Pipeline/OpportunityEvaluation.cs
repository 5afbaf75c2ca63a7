using MathNet.Numerics.Distributions;
using MathNet.Numerics.Statistics;

namespace Workbench.Analytics.Pipeline;

/// <summary>A rep's mean gap between the stage they record and the stage the data supports (positive: optimism),
/// over their deals' held-out snapshots (averaged per deal first), with a 95% t-interval over deals.</summary>
public sealed record RepGap(string RepId, int Deals, double MeanGap, double Low, double High, double? PlantedBias);

/// <summary>One rep and quarter: the pipeline open on the quarter's first day, forecast from win probabilities and from
/// declared stages with standard weights, against what those deals actually closed as won.</summary>
public sealed record ForecastCell(string RepId, DateOnly Quarter, int Deals, double ModelForecast, double DeclaredForecast, double Actual);

/// <summary>Error of both forecasts over all reps in one quarter (WAPE: sum of absolute errors over the actual total).</summary>
public sealed record QuarterError(DateOnly Quarter, double ModelWape, double DeclaredWape, double Actual);

/// <summary>Held-out quality of the opportunity models; oracle and planted-bias comparisons when the data carries truth.</summary>
public sealed record OpportunityEvaluationResult
{
    public required DateOnly SplitDate { get; init; }
    public required int TestSnapshots { get; init; }
    public required double WinAuc { get; init; }
    /// <summary>Trees the win model kept (0 for the linear model).</summary>
    public int WinTrees { get; init; }
    /// <summary>The win model is weak: at most one tree (trees only), or test ROC AUC at most 0.52 or undefined.
    /// Recorded as <c>win.weak_model</c>, printed by the CLI, and promotion refuses it by default.</summary>
    public bool WeakWinModel { get; init; }
    public double? OracleWinAuc { get; init; }
    public required double Brier { get; init; }
    public double? OracleBrier { get; init; }
    public required double LogLoss { get; init; }
    public required IReadOnlyList<CalibrationBin> Reliability { get; init; }
    /// <summary>Share of held-out weekly snapshots whose supported stage equals the true stage (truth only).</summary>
    public double? StageAccuracy { get; init; }
    /// <summary>Share whose recorded stage equals the true stage: how often the reps' own calls are right (truth only).</summary>
    public double? RecordedStageAccuracy { get; init; }
    public required IReadOnlyList<RepGap> RepGaps { get; init; }
    /// <summary>Pearson r between the reps' mean gaps and their planted stage biases (truth only).</summary>
    public double? RepGapCorrelation { get; init; }
    public required IReadOnlyList<ForecastCell> Forecast { get; init; }
    public required IReadOnlyList<QuarterError> QuarterErrors { get; init; }
    /// <summary>WAPE over every rep and quarter cell: model forecast, and the declared-stage forecast.</summary>
    public required double ForecastWape { get; init; }
    public required double DeclaredForecastWape { get; init; }

    public string ToText() => string.Create(CultureInfo.InvariantCulture,
        $"""
        held out from {SplitDate:yyyy-MM-dd}: {TestSnapshots} snapshots
        win AUC {WinAuc:0.000}{(OracleWinAuc is { } o ? $" (oracle {o:0.000})" : "")}, Brier {Brier:0.000}{(OracleBrier is { } ob ? $" (oracle {ob:0.000})" : "")}, log loss {LogLoss:0.000}
        supported stage = true stage: {(StageAccuracy is { } a ? a.ToString("0.0%", CultureInfo.InvariantCulture) : "n/a")}; recorded stage = true stage: {(RecordedStageAccuracy is { } r ? r.ToString("0.0%", CultureInfo.InvariantCulture) : "n/a")}
        rep gap vs planted bias: r = {(RepGapCorrelation is { } c ? c.ToString("0.000", CultureInfo.InvariantCulture) : "n/a")}
        forecast WAPE per rep and quarter: model {ForecastWape:0.000}, declared stages {DeclaredForecastWape:0.000}
        """);
}

/// <summary>Evaluates opportunity models on the snapshots dated on or after the model's split date.</summary>
public static class OpportunityEvaluation
{
    public static OpportunityEvaluationResult Evaluate(OpportunityModel model, CrmDataset data) =>
        Evaluate(model, OpportunityFrame.Build(data, model.Options));

    public static OpportunityEvaluationResult Evaluate(OpportunityModel model, OpportunityFrame frame)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(frame);
        var split = model.SplitDate;
        var table = frame.Table;
        var scores = model.Score(table, frame.Index);

        // Win: weekly held-out snapshots of deals that closed.
        var rows = Enumerable.Range(0, table.RowCount)
            .Where(r => table.Snapshots[r].AsOf >= split && table.Snapshots[r].Kind == SnapshotKind.Weekly && frame.IsClosed(r)).ToList();
        if (rows.Count == 0) throw new WorkbenchException($"No closed deal has a snapshot on or after {split:yyyy-MM-dd}: nothing to evaluate.");
        var p = rows.Select(r => scores[r].WinProbability).ToList();
        var y = rows.Select(r => frame.IsWon(r)).ToList();
        double? oracleAuc = null, oracleBrier = null, stageAcc = null, recordedAcc = null;
        if (frame.Truth is { } truth)
        {
            var withTruth = rows.Where(r => truth.ContainsKey((table.Snapshots[r].OpportunityId, table.Snapshots[r].AsOf))).ToList();
            if (withTruth.Count == rows.Count)
            {
                var q = rows.Select(r => truth[(table.Snapshots[r].OpportunityId, table.Snapshots[r].AsOf)].Win).ToList();
                oracleAuc = ClassificationMetrics.RocAuc(q, y);
                oracleBrier = ClassificationMetrics.Brier(q, y);
            }
            int stageCol = OpportunityFeatures.Index(OpportunityFeatures.RecordedStage);
            int n = 0, hit = 0, recHit = 0;
            for (int r = 0; r < table.RowCount; r++)
            {
                var s = table.Snapshots[r];
                if (s.AsOf < split || s.Kind != SnapshotKind.Weekly || !truth.TryGetValue((s.OpportunityId, s.AsOf), out var t)) continue;
                n++;
                if (scores[r].SupportedStage == (int)t.Stage) hit++;
                if (table.Values[r * table.ColumnCount + stageCol] == (int)t.Stage) recHit++;
            }
            if (n > 0) { stageAcc = (double)hit / n; recordedAcc = (double)recHit / n; }
        }

        var gaps = RepGaps(frame, scores, split, frame.Index.DataEnd);
        double? correlation = null;
        if (gaps.Count >= 3 && gaps.All(g => g.PlantedBias is not null))
            correlation = Correlation.Pearson(gaps.Select(g => g.MeanGap), gaps.Select(g => g.PlantedBias!.Value));

        var forecast = Forecast(model, frame, split);
        var quarters = forecast.GroupBy(c => c.Quarter).OrderBy(g => g.Key)
            .Select(g => new QuarterError(g.Key, Wape(g, c => c.ModelForecast), Wape(g, c => c.DeclaredForecast), g.Sum(c => c.Actual))).ToList();

        return new OpportunityEvaluationResult
        {
            SplitDate = split,
            TestSnapshots = rows.Count,
            WinAuc = ClassificationMetrics.RocAuc(p, y),
            WinTrees = model.Win.TreeCount,
            WeakWinModel = (model.Win.TreeCount <= 1 && model.Win.Options.Algorithm != PropensityAlgorithm.LogisticRegression) || !(ClassificationMetrics.RocAuc(p, y) > 0.52),
            OracleWinAuc = oracleAuc,
            Brier = ClassificationMetrics.Brier(p, y),
            OracleBrier = oracleBrier,
            LogLoss = ClassificationMetrics.LogLoss(p, y),
            Reliability = ClassificationMetrics.Reliability(p, y),
            StageAccuracy = stageAcc,
            RecordedStageAccuracy = recordedAcc,
            RepGaps = gaps,
            RepGapCorrelation = correlation,
            Forecast = forecast,
            QuarterErrors = quarters,
            ForecastWape = Wape(forecast, c => c.ModelForecast),
            DeclaredForecastWape = Wape(forecast, c => c.DeclaredForecast),
        };
    }

    static double Wape(IEnumerable<ForecastCell> cells, Func<ForecastCell, double> f)
    {
        double err = 0, actual = 0;
        foreach (var c in cells) { err += Math.Abs(f(c) - c.Actual); actual += c.Actual; }
        return actual > 0 ? err / actual : double.NaN;
    }

    /// <summary>Per rep: recorded minus supported (expected) stage over their deals' snapshots dated in [from, to),
    /// averaged per deal, then over deals with a 95% t-interval.</summary>
    public static IReadOnlyList<RepGap> RepGaps(OpportunityFrame frame, IReadOnlyList<OpportunityScore> scores, DateOnly from, DateOnly to)
    {
        var table = frame.Table;
        int stageCol = OpportunityFeatures.Index(OpportunityFeatures.RecordedStage);
        var perDeal = new Dictionary<int, (double Sum, int N)>();
        for (int r = 0; r < table.RowCount; r++)
        {
            var s = table.Snapshots[r];
            if (s.AsOf < from || s.AsOf >= to || s.Kind != SnapshotKind.Weekly) continue;
            float recorded = table.Values[r * table.ColumnCount + stageCol];
            if (float.IsNaN(recorded)) continue;
            perDeal.TryGetValue(s.Opportunity, out var acc);
            perDeal[s.Opportunity] = (acc.Sum + recorded - scores[r].ExpectedStage, acc.N + 1);
        }
        var bias = frame.PlantedBiases;
        return perDeal.GroupBy(kv => frame.Index.Opps[kv.Key].RepId, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
        {
            var v = g.Select(kv => kv.Value.Sum / kv.Value.N).ToArray();
            double mean = v.Average();
            double half = v.Length > 1 ? StudentT.InvCDF(0, 1, v.Length - 1, 0.975) * v.StandardDeviation() / Math.Sqrt(v.Length) : double.NaN;
            return new RepGap(g.Key, v.Length, mean, mean - half, mean + half, bias is not null && bias.TryGetValue(g.Key, out var b) ? b : null);
        }).ToList();
    }

    /// <summary>Per rep and quarter from the split on (quarters that end inside the data): the deals open on the
    /// quarter's first day that were resolved by the data's end, forecast two ways against what they closed as won.</summary>
    public static IReadOnlyList<ForecastCell> Forecast(OpportunityModel model, OpportunityFrame frame, DateOnly from)
    {
        var index = frame.Index;
        var weights = model.Options.StageWeights;
        var q = new DateOnly(from.Year, (from.Month - 1) / 3 * 3 + 1, 1);
        if (q < from) q = q.AddMonths(3);
        var cells = new List<ForecastCell>();
        for (; q.AddMonths(3) <= index.DataEnd; q = q.AddMonths(3))
        {
            var snaps = OpportunitySnapshots.OpenOn(index, q).Where(s => index.Opps[s.Opportunity].Outcome != OpportunityOutcome.Open).ToList();
            if (snaps.Count == 0) continue;
            var table = OpportunitySnapshots.Features(index, snaps, model.Options);
            var scores = model.Score(table, index);
            int stageCol = OpportunityFeatures.Index(OpportunityFeatures.RecordedStage);
            var quarter = q;
            cells.AddRange(Enumerable.Range(0, snaps.Count).GroupBy(i => snaps[i].RepId, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
            {
                double m = 0, d = 0, a = 0;
                foreach (int i in g)
                {
                    var o = index.Opps[snaps[i].Opportunity];
                    double amount = (double)o.Amount;
                    float st = table.Values[i * table.ColumnCount + stageCol];
                    m += scores[i].WinProbability * amount;
                    d += weights[float.IsNaN(st) ? 0 : (int)st] * amount; // nothing recorded yet: the first stage
                    if (o.Outcome == OpportunityOutcome.Won) a += amount;
                }
                return new ForecastCell(g.Key, quarter, g.Count(), m, d, a);
            }));
        }
        return cells;
    }
}
