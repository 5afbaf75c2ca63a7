using Workbench.Notebooks;

namespace Workbench.Tests.Notebooks;

/// <summary>The committed walkthroughs stay small enough to open quickly everywhere (GitHub refuses to render large
/// notebooks; each used to carry the 3.6 MB plotly.js): charts are plotly JSON, a static image and a small loader.</summary>
public sealed class NotebookSizeTests
{
    /// <summary>1.5 MB, in bytes (decimal megabytes).</summary>
    public const long MaxNotebookBytes = 1_500_000;

    [Fact]
    public void Every_committed_notebook_is_under_one_and_a_half_megabytes()
    {
        var files = Directory.GetFiles(Path.Combine(TestPaths.RepoRoot, "notebooks")).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(files);
        var tooLarge = files.Select(f => (Name: Path.GetFileName(f), Bytes: new FileInfo(f).Length)).Where(f => f.Bytes >= MaxNotebookBytes).ToList();
        Assert.True(tooLarge.Count == 0, "over 1.5 MB: " + string.Join(", ", tooLarge.Select(f => $"{f.Name} ({f.Bytes:N0} bytes)")));
    }
}

public sealed class ChartVerifyTests
{
    [Fact]
    public void A_chart_figure_compares_equal_whatever_its_key_order_and_escaping()
    {
        var fresh = """{"data":[{"type":"scatter","mode":"lines+markers","x":[1,2]}],"layout":{"title":{"text":"a"}}}""";
        var saved = """{"data":[{"mode":"lines\u002Bmarkers","type":"scatter","x":[1,2]}],"layout":{"title":{"text":"a"}}}""";
        Assert.Equal(NotebookVerifier.CanonicalJson(fresh), NotebookVerifier.CanonicalJson(saved));
        Assert.NotEqual(NotebookVerifier.CanonicalJson(fresh), NotebookVerifier.CanonicalJson(fresh.Replace("[1,2]", "[1,3]")));
    }

    [Fact]
    public void Verify_replaces_a_charts_static_image_but_keeps_the_rest_of_its_html()
    {
        var html = "<div class=\"workbench-chart\" id=\"wb-chart-1\" style=\"width:600px\"><img src=\"data:image/png;base64,iVBORw0KGgo=\" alt=\"t\"/></div>\n<script>var fig = {};</script>";
        var clean = NotebookVerifier.DefaultSanitizers.Aggregate(html, (t, s) => System.Text.RegularExpressions.Regex.Replace(t, s.Pattern, s.Replacement));
        Assert.Equal("<div class=\"workbench-chart\"><CHART IMAGE></div>\n<script>var fig = {};</script>", clean);
    }
}
