using Workbench.Notebooks;

namespace Workbench.Tests.Notebooks;

public sealed class RichDisplayTests
{
    [Fact]
    public async Task A_data_frame_shows_as_an_escaped_paged_html_table()
    {
        using var session = NotebookSession.Create(new NotebookSessionOptions(HtmlTableRows: 2));
        var result = await session.ExecuteAsync("""
            using Microsoft.Data.Analysis;
            var frame = new DataFrame(
                new StringDataFrameColumn("name", new[] { "<script>", "b & c", "d" }),
                new Int32DataFrameColumn("seats", new[] { 10, 20, 30 }));
            frame
            """);

        Assert.Equal(CellStatus.Ok, result.Status);
        var html = Assert.IsType<DisplayOutput>(Assert.Single(result.Outputs)).Data["text/html"];
        Assert.Contains("<th>name</th><th>seats</th>", html);
        Assert.Contains("<td>&lt;script&gt;</td><td>10</td>", html);
        Assert.Contains("<td>b &amp; c</td><td>20</td>", html);
        Assert.DoesNotContain("<td>d</td>", html); // third row is beyond the first page
        Assert.Contains("3 rows × 2 columns (first 2 shown)", html);
    }

    [Fact]
    public async Task The_first_plotly_chart_inlines_plotly_js_and_later_charts_do_not()
    {
        using var session = NotebookSession.Create();
        const string chart = "Plotly.NET.CSharp.Chart.Point<int, int, string>(x: new[] { 1, 2, 3 }, y: new[] { 4, 5, 6 })";
        var first = await session.ExecuteAsync(chart);
        var second = await session.ExecuteAsync(chart);

        Assert.Equal(CellStatus.Ok, first.Status);
        var firstHtml = Assert.IsType<DisplayOutput>(Assert.Single(first.Outputs)).Data["text/html"];
        var secondHtml = Assert.IsType<DisplayOutput>(Assert.Single(second.Outputs)).Data["text/html"];
        Assert.StartsWith("<script type=\"text/javascript\">", firstHtml);
        Assert.Contains("plotly.js v", firstHtml); // the bundle's license banner: the library itself, not a CDN link
        Assert.DoesNotContain("<script src=", firstHtml); // nothing fetched from a CDN
        Assert.True(firstHtml.Length > 1_000_000);
        Assert.Contains("Plotly.newPlot", secondHtml);
        Assert.True(secondHtml.Length < 20_000);
    }
}

public sealed class BrokenDisplayTests
{
    [Fact]
    public async Task A_result_whose_html_throws_is_an_error_of_the_cell()
    {
        using var session = NotebookSession.Create();
        var result = await session.ExecuteAsync("new Workbench.Tests.Notebooks.BrokenHtml()");
        Assert.Equal(CellStatus.Error, result.Status);
        Assert.Contains("formatting the result of cell 1 failed: no html today", result.Error!.Message);
        Assert.Equal(CellStatus.Ok, (await session.ExecuteAsync("1")).Status);
    }
}

public sealed class BrokenHtml : IHtmlDisplay
{
    public string ToHtml() => throw new InvalidOperationException("no html today");
}
