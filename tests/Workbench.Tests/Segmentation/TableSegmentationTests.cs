using System.Text.Json;
using Workbench.Cli.Commands;

namespace Workbench.Tests.Segmentation;

/// <summary><c>workbench segment --table</c>: a user's wide table segmented on its own numeric columns, through the CLI
/// alone. Wholesale gives the notebook's result (k = 2, 252 / 188 clients, "low/high detergents_paper").</summary>
public class TableSegmentationTests
{
    static (int Code, string Out, string Err) Run(params string[] args) => CliCapture.Run(args);

    [Fact]
    public void Wholesale_imported_through_its_mapping_segments_to_k_2_with_the_notebooks_profiles()
    {
        var dir = TestPaths.NewTempDir("segment-wholesale");
        var data = Path.Combine(dir, "wholesale");
        Assert.Equal(0, Run("import", "--mapping", Path.Combine(TestPaths.RepoRoot, "data-samples", "mappings", "wholesale.json"),
            "--source", TestPaths.Dataset("uci-wholesale-customers"), "--out", data).Code);
        var outDir = Path.Combine(dir, "seg");
        var (code, stdout, err) = Run("segment", "--table", data, "--compare", "channel", "--seed", "42", "--out", outDir);
        Assert.True(code == 0, err);
        Assert.Contains("on 6 columns (fresh, milk, grocery, frozen, detergents_paper, delicassen); KMeans, k=2, silhouette 0.290", stdout);
        Assert.Contains("adjusted Rand index against channel: 0.514", stdout);

        using var profiles = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "segment-profiles.json")));
        var segments = profiles.RootElement.GetProperty("segments").EnumerateArray().ToList();
        Assert.Equal(2, segments.Count);
        Assert.Equal([252, 188], segments.Select(s => s.GetProperty("size").GetInt32()));
        Assert.Equal(["low detergents_paper", "high detergents_paper"], segments.Select(s => s.GetProperty("name").GetString()));
        // The segment means weighted by size give back the UCI column means (published: Fresh 12000.30, Milk 5796.27, Grocery 7951.28).
        double Overall(string column) => segments.Sum(s => s.GetProperty("size").GetInt32() *
            s.GetProperty("columns").EnumerateArray().First(c => c.GetProperty("column").GetString() == column).GetProperty("mean").GetDouble()) / 440;
        Assert.Equal(12000.30, Overall("fresh"), 2);
        Assert.Equal(5796.27, Overall("milk"), 2);
        Assert.Equal(7951.28, Overall("grocery"), 2);
        var lines = File.ReadAllLines(Path.Combine(outDir, "assignments.csv"));
        Assert.Equal("account_id,segment,segment_name", lines[0]);
        Assert.Equal(441, lines.Length);
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "segment-metrics.json")));
        Assert.Equal(2, metrics.RootElement.GetProperty("recommended_k").GetInt32());
    }

    [Fact]
    public void The_raw_wholesale_file_without_an_id_gets_row_numbers_and_codes_and_constant_columns_are_left_out()
    {
        var dir = TestPaths.NewTempDir("segment-wholesale-raw");
        var src = File.ReadAllLines(TestPaths.Dataset("uci-wholesale-customers", "Wholesale customers data.csv"));
        File.WriteAllLines(Path.Combine(dir, "w.csv"), src.Select((l, i) => l + (i == 0 ? ",Country" : ",7")));
        var outDir = Path.Combine(dir, "seg");
        var (code, stdout, err) = Run("segment", "--table", Path.Combine(dir, "w.csv"), "--exclude", "Channel", "Region", "--k", "2", "--out", outDir);
        Assert.True(code == 0, err);
        Assert.Contains("on 6 columns (Fresh, Milk, Grocery, Frozen, Detergents_Paper, Delicassen); KMeans, k=2", stdout);
        Assert.Contains("not clustered: Country (constant)", stdout);
        Assert.Equal("row,segment,segment_name", File.ReadLines(Path.Combine(outDir, "assignments.csv")).First());

        var (bad, _, badErr) = Run("segment", "--table", Path.Combine(dir, "w.csv"), "--columns", "Fresh", "Milkk", "--out", outDir);
        Assert.Equal(2, bad);
        Assert.Contains("no column 'Milkk' (did you mean 'Milk'?)", badErr);
    }
}
