using System.Globalization;
using Workbench.Analytics.Lifetime;

namespace Workbench.Tests.Lifetime;

/// <summary>The CDNOW 1/10 cohort summaries shipped with <c>lifetimes</c> (2,357 customers, 39-week calibration).</summary>
public static class CdnowData
{
    public sealed record Row(int Id, double X, double Tx, double T, double Zbar);

    static readonly Lazy<IReadOnlyList<Row>> rows = new(() =>
        File.ReadLines(TestPaths.Dataset("cdnow-lifetimes", "cdnow_customers_summary_with_transactions.csv")).Skip(1)
            .Select(l => l.Split(',')).Select(f => new Row(int.Parse(f[0], CultureInfo.InvariantCulture), D(f[1]), D(f[2]), D(f[3]), D(f[4]))).ToList());

    static double D(string s) => double.Parse(s, CultureInfo.InvariantCulture);

    public static IReadOnlyList<Row> Rows => rows.Value;

    /// <summary>(frequency, recency, T) of cdnow_customers_summary.csv, the file the published fits use.</summary>
    public static RfmData Summary() => new(File.ReadLines(TestPaths.Dataset("cdnow-lifetimes", "cdnow_customers_summary.csv")).Skip(1)
        .Select(l => l.Split(',')).Select(f => (D(f[1]), D(f[2]), D(f[3]))));
}
