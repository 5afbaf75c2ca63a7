using Workbench.Notebooks;
using Workbench.Tests.Scoring;

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

    const string PointChart = "Plotly.NET.CSharp.Chart.Point<int, int, string>(x: new[] { 1, 2, 3 }, y: new[] { 4, 5, 6 })";

    [Fact]
    public async Task A_chart_is_plotly_json_and_html_that_loads_plotly_js_once_per_page_instead_of_inlining_it()
    {
        using var session = NotebookSession.Create();
        var first = await session.ExecuteAsync(PointChart);
        var second = await session.ExecuteAsync(PointChart);

        Assert.Equal(CellStatus.Ok, first.Status);
        var bundle = Assert.IsType<DisplayOutput>(Assert.Single(first.Outputs)).Data;
        // What VS Code and JupyterLab draw natively: the figure as plotly's own JSON.
        var figure = System.Text.Json.Nodes.JsonNode.Parse(bundle["application/vnd.plotly.v1+json"])!.AsObject();
        Assert.Equal("[4,5,6]", figure["data"]![0]!["y"]!.ToJsonString());
        Assert.NotNull(figure["layout"]);
        // Plotly.NET's template keeps the defaults of the drawn trace type only (scatter), not of 30 others.
        Assert.Equal(["scatter"], figure["layout"]!["template"]!["data"]!.AsObject().Select(p => p.Key).ToArray());
        foreach (var html in new[] { bundle["text/html"], Assert.IsType<DisplayOutput>(Assert.Single(second.Outputs)).Data["text/html"] })
        {
            Assert.StartsWith("<div class=\"workbench-chart\"", html);
            Assert.DoesNotContain("plotly.js v", html); // the 3.6 MB library is never inlined
            Assert.Contains("https://cdn.plot.ly/plotly-2.28.0.min", html); // loaded once per page by whichever chart asks first
            Assert.Contains("workbenchPlotlyLoading", html);
            Assert.Contains("requirejs", html); // classic Notebook's require.js gets the library as a module
            Assert.True(html.Length < 100_000, $"chart HTML is {html.Length} chars");
        }
    }

    static string ChartId(CellResult result)
    {
        var html = Assert.IsType<DisplayOutput>(Assert.Single(result.Outputs)).Data["text/html"];
        var match = System.Text.RegularExpressions.Regex.Match(html, "id=\"(wb-chart-[^\"]+)\"");
        Assert.True(match.Success, html[..Math.Min(200, html.Length)]);
        Assert.Contains("var id = '" + match.Groups[1].Value + "'", html); // the script draws into its own element
        return match.Groups[1].Value;
    }

    [Fact]
    public async Task Chart_element_ids_are_the_same_on_every_run_of_a_session_and_distinct_within_one()
    {
        string[] Run()
        {
            using var session = NotebookSession.Create();
            return [ChartId(session.ExecuteAsync(PointChart).GetAwaiter().GetResult()),
                    ChartId(session.ExecuteAsync(PointChart).GetAwaiter().GetResult()),
                    ChartId(session.ExecuteAsync(PointChart.Replace("4, 5, 6", "7, 8, 9")).GetAwaiter().GetResult())];
        }
        var first = await Task.Run(Run);
        var second = await Task.Run(Run);
        Assert.Equal(first, second); // reproducible outputs: re-running a notebook writes the same HTML
        Assert.Equal(3, first.Distinct().Count()); // one page never holds two elements with one id
        Assert.NotEqual(first[0][..^2], first[2][..^2]); // the figure is part of the id, not only the ordinal
    }

    [Fact]
    public async Task Renderings_registered_by_a_library_a_later_cell_loads_are_found_and_a_workbench_table_shows_as_html()
    {
        // Registrations are found by watching assemblies load, not by scanning every loaded assembly on each display: a
        // library loaded after many displays must still be seen, also when it registers a type of another assembly.
        var dir = TestPaths.NewTempDir("display-registrations");
        var types = TestLibraries.Compile(dir, "ProbeTypes", """
            namespace Probe
            {
                public sealed class Thing { public override string ToString() => "thing"; }
                public sealed class OtherThing { }
            }
            """);
        var displays = TestLibraries.Compile(dir, "ProbeDisplays", """
            [assembly: Workbench.DisplayRegistrations(typeof(ProbeDisplays.Registrar))]
            namespace ProbeDisplays
            {
                public static class Marker { }
                public static class Registrar
                {
                    static Registrar() => Workbench.DisplayRegistry.Register<Probe.Thing>("text/html", t => "<i>probe</i>");
                }
            }
            """, typeof(Workbench.DisplayRegistry).Assembly.Location, types);

        using var session = NotebookSession.Create();
        for (var i = 0; i < 3; i++)
        {
            var plain = Assert.IsType<DisplayOutput>(Assert.Single((await session.ExecuteAsync("1 + " + i)).Outputs)).Data;
            Assert.Equal(["text/plain"], plain.Keys.ToArray());
        }
        var table = Assert.IsType<DisplayOutput>(Assert.Single((await session.ExecuteAsync(
            "new Workbench.Reporting.HtmlTable(\"t\", [\"a\"], [[\"1\"]])")).Outputs)).Data;
        Assert.Contains("<table", table["text/html"]);
        Assert.Equal(CellStatus.Ok, (await session.ExecuteAsync($"#r \"{types}\"\n#r \"{displays}\"")).Status);
        var before = Assert.IsType<DisplayOutput>(Assert.Single((await session.ExecuteAsync("new Probe.Thing()")).Outputs)).Data;
        Assert.Equal(["text/plain"], before.Keys.ToArray()); // ProbeDisplays is referenced, not loaded yet

        var probe = await session.ExecuteAsync("var loaded = typeof(ProbeDisplays.Marker).Assembly; new Probe.Thing()");
        Assert.Equal(CellStatus.Ok, probe.Status);
        var data = Assert.IsType<DisplayOutput>(Assert.Single(probe.Outputs)).Data;
        Assert.Equal("<i>probe</i>", data["text/html"]);
        Assert.Equal("thing", data["text/plain"]);
        var other = Assert.IsType<DisplayOutput>(Assert.Single((await session.ExecuteAsync("new Probe.OtherThing()")).Outputs)).Data;
        Assert.Equal(["text/plain"], other.Keys.ToArray());
    }

    [ChromiumFact]
    public async Task A_chart_carries_the_same_static_png_on_every_run_and_inside_its_html()
    {
        using var session = NotebookSession.Create();
        var first = Assert.IsType<DisplayOutput>(Assert.Single((await session.ExecuteAsync(PointChart)).Outputs)).Data;
        var second = Assert.IsType<DisplayOutput>(Assert.Single((await session.ExecuteAsync(PointChart)).Outputs)).Data;
        var png = Convert.FromBase64String(first["image/png"]);
        Assert.Equal([137, 80, 78, 71, 13, 10, 26, 10], png[..8]);
        Assert.Equal(600, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16))); // Plotly.NET's default width
        Assert.Equal(first["image/png"], second["image/png"]); // same chart, same bytes
        Assert.Contains("<img src=\"data:image/png;base64," + first["image/png"] + "\"", first["text/html"]); // untrusted views show it
    }

    [Fact]
    public void Recompressing_a_png_keeps_its_pixels_and_drops_an_opaque_alpha_channel()
    {
        // A 3x2 RGBA image, stored unfiltered and uncompressed-ish, opaque everywhere.
        byte[] pixels = [10, 20, 30, 255, 40, 50, 60, 255, 70, 80, 90, 255, 1, 2, 3, 255, 4, 5, 6, 255, 7, 8, 9, 255];
        var png = TestPng.Encode(3, 2, colorType: 6, pixels);
        var smaller = PngRecompressor.Recompress(png);
        var (width, height, colorType, decoded) = TestPng.Decode(smaller);
        Assert.Equal((3, 2, 2), (width, height, colorType));
        Assert.Equal(pixels.Where((_, i) => i % 4 != 3).ToArray(), decoded);
        Assert.Equal(smaller, PngRecompressor.Recompress(png)); // deterministic
        byte[] notPng = [1, 2, 3];
        Assert.Same(notPng, PngRecompressor.Recompress(notPng)); // anything it does not understand passes through
    }

    [Fact]
    public void Long_chart_titles_wrap_at_spaces_instead_of_being_cut()
    {
        var title = "Rep affinity: estimated win rate by account group (shrunk toward the group rate)";
        var wrapped = Workbench.Reporting.ChartText.WrapTitle(title);
        var lines = wrapped.Split("<br>");
        Assert.True(lines.Length == 2, wrapped);
        Assert.All(lines, l => Assert.True(l.Length <= Workbench.Reporting.ChartText.TitleLineLength, l));
        Assert.Equal(title, string.Join(" ", lines));
        Assert.Equal("Silhouette by k", Workbench.Reporting.ChartText.WrapTitle("Silhouette by k"));
    }
}

/// <summary>A minimal PNG writer/reader for tests (filter 0 rows, zlib).</summary>
internal static class TestPng
{
    public static byte[] Encode(int width, int height, byte colorType, byte[] pixels)
    {
        var bpp = colorType == 6 ? 4 : 3;
        var raw = new MemoryStream();
        for (var y = 0; y < height; y++) { raw.WriteByte(0); raw.Write(pixels, y * width * bpp, width * bpp); }
        var z = new MemoryStream();
        using (var zs = new System.IO.Compression.ZLibStream(z, System.IO.Compression.CompressionLevel.NoCompression, leaveOpen: true)) zs.Write(raw.ToArray());
        var o = new MemoryStream();
        o.Write([137, 80, 78, 71, 13, 10, 26, 10]);
        var header = new byte[13];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header, width);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; header[9] = colorType;
        Chunk(o, "IHDR", header); Chunk(o, "IDAT", z.ToArray()); Chunk(o, "IEND", []);
        return o.ToArray();
    }

    static void Chunk(Stream o, string type, byte[] data)
    {
        var len = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(len, data.Length);
        o.Write(len); o.Write(System.Text.Encoding.ASCII.GetBytes(type)); o.Write(data); o.Write(new byte[4]); // CRC not checked by Decode
    }

    public static (int Width, int Height, int ColorType, byte[] Pixels) Decode(byte[] png)
    {
        int width = 0, height = 0, colorType = 0;
        var idat = new MemoryStream();
        for (var at = 8; at + 12 <= png.Length;)
        {
            var length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            var type = System.Text.Encoding.ASCII.GetString(png, at + 4, 4);
            if (type == "IHDR") { width = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at + 8)); height = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at + 12)); colorType = png[at + 17]; }
            if (type == "IDAT") idat.Write(png, at + 8, length);
            at += 12 + length;
        }
        var bpp = colorType == 6 ? 4 : 3;
        var stride = width * bpp;
        idat.Position = 0;
        var raw = new byte[(stride + 1) * height];
        using (var zs = new System.IO.Compression.ZLibStream(idat, System.IO.Compression.CompressionMode.Decompress)) zs.ReadExactly(raw);
        var pixels = new byte[stride * height];
        for (var y = 0; y < height; y++)
            for (var x = 0; x < stride; x++)
            {
                int a = x >= bpp ? pixels[y * stride + x - bpp] : 0, b = y > 0 ? pixels[(y - 1) * stride + x] : 0, c = x >= bpp && y > 0 ? pixels[(y - 1) * stride + x - bpp] : 0;
                int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
                var predictor = raw[y * (stride + 1)] switch { 0 => 0, 1 => a, 2 => b, 3 => (a + b) >> 1, _ => pa <= pb && pa <= pc ? a : pb <= pc ? b : c };
                pixels[y * stride + x] = (byte)(raw[y * (stride + 1) + 1 + x] + predictor);
            }
        return (width, height, colorType, pixels);
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
