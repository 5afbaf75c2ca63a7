using System.Globalization;
using Workbench.Analytics.Segmentation;

namespace Workbench.Tests.Segmentation;

/// <summary>Seeded Gaussian blobs with known labels, and a tiny reader for the UCI Wholesale customers CSV.</summary>
internal static class SegmentationTestData
{
    /// <summary>k blobs of <paramref name="perBlob"/> rows in d dimensions, sd 1, centres at least
    /// <paramref name="minSeparation"/> apart (drawn uniformly in [-12, 12]^d, rejected if too close).</summary>
    public static (FeatureMatrix X, int[] Labels) Blobs(int k, int d, int perBlob, int seed, double minSeparation = 10, double[]? sizes = null)
    {
        var rng = new Random(seed);
        var centres = new List<double[]>();
        while (centres.Count < k)
        {
            var c = Enumerable.Range(0, d).Select(_ => rng.NextDouble() * 24 - 12).ToArray();
            if (centres.All(o => Math.Sqrt(o.Zip(c, (a, b) => (a - b) * (a - b)).Sum()) >= minSeparation)) centres.Add(c);
        }
        var rows = new List<double[]>(); var labels = new List<int>();
        for (int c = 0; c < k; c++)
        {
            int count = sizes is null ? perBlob : (int)(sizes[c] * perBlob);
            for (int i = 0; i < count; i++)
            {
                rows.Add(centres[c].Select(m => m + Normal(rng)).ToArray());
                labels.Add(c);
            }
        }
        return (FeatureMatrix.FromRows(rows, Enumerable.Range(0, d).Select(j => "f" + j).ToArray()), labels.ToArray());
    }

    public static double Normal(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    public static string WholesalePath => TestPaths.Dataset("uci-wholesale-customers", "Wholesale customers data.csv");

    /// <summary>Header names and numeric rows of the Wholesale customers CSV; throws naming line and column on bad values.</summary>
    public static (string[] Header, double[][] Rows) ReadWholesale()
    {
        var lines = File.ReadAllLines(WholesalePath);
        var header = lines[0].Split(',').Select(h => h.Trim()).ToArray();
        var rows = new List<double[]>();
        for (int l = 1; l < lines.Length; l++)
        {
            if (lines[l].Trim().Length == 0) continue;
            var cells = lines[l].Split(',');
            if (cells.Length != header.Length) throw new InvalidDataException($"{WholesalePath}:{l + 1}: expected {header.Length} cells, got {cells.Length}");
            rows.Add(cells.Select((c, j) => double.TryParse(c, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
                ? v : throw new InvalidDataException($"{WholesalePath}:{l + 1}, column '{header[j]}': value '{c}' is not a number")).ToArray());
        }
        return (header, rows.ToArray());
    }
}
