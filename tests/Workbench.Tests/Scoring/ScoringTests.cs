using Workbench.Domain;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Workbench.Analytics.Features;
using Workbench.Cli.Commands;
using Workbench.Data;
using Workbench.Experiments.Artifacts;
using Workbench.Experiments.Runs;
using Workbench.Experiments.Scoring;

namespace Workbench.Tests.Scoring;

/// <summary>Scoring new data with a promoted model: the book, its files and report, and every way it refuses bad input.</summary>
[Collection(ScoringCollection.Name)]
public class ScoringTests(ScoringFixture fx)
{
    static string NewName(string purpose) => purpose + "-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>Promotes a copy of the trained model after <paramref name="tamper"/> changed its folder.</summary>
    string PromoteTampered(Action<string> tamper)
    {
        var id = NewName("tampered");
        fx.WriteRun(id, RunStatus.Succeeded);
        tamper(fx.Store.RunModelDirectory(id));
        var name = NewName("bad");
        Workbench.Experiments.Promotion.Promoter.Promote(fx.Store, id, name);
        return name;
    }

    static List<string[]> ReadCsv(string path)
    {
        // RFC 4180: quoted fields may hold commas, quotes (doubled) and line breaks.
        var rows = new List<string[]>(); var row = new List<string>(); var cell = new StringBuilder();
        string text = File.ReadAllText(path); bool quoted = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { cell.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else cell.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { row.Add(cell.ToString()); cell.Clear(); }
            else if (c == '\n') { row.Add(cell.ToString()); cell.Clear(); rows.Add(row.ToArray()); row.Clear(); }
            else cell.Append(c);
        }
        return rows;
    }

    [Fact]
    public void The_book_covers_every_scored_account_once_with_ranks_grades_and_reasons()
    {
        var result = fx.HostileOutput.Result;
        Assert.True(result.Books.Count > 1);
        Assert.Equal(new DateOnly(2026, 1, 1), result.AsOf); // the sample ends 2025-12: default as-of is the month after
        Assert.Equal(new DateOnly(2025, 12, 1), result.PreviousAsOf);
        var rows = ReadCsv(Path.Combine(fx.HostileOut, BatchScoring.BookCsvFile));
        var header = rows[0];
        Assert.Equal(BookFiles.AccountColumns, header[..BookFiles.AccountColumns.Count]);
        Assert.Contains("reason_for_1", header);
        Assert.Equal(result.AccountCount, rows.Count - 1);
        Assert.Equal(rows.Count - 1, rows.Skip(1).Select(r => r[2]).Distinct().Count());
        foreach (var book in result.Books)
        {
            Assert.Equal(Enumerable.Range(1, book.Accounts.Count), book.Accounts.Select(a => a.Priority.Rank));
            Assert.True(book.Accounts.Zip(book.Accounts.Skip(1)).All(p => p.First.Priority.Priority >= p.Second.Priority.Priority));
        }
        var all = result.Books.SelectMany(b => b.Accounts).ToList();
        Assert.All(all, a => Assert.InRange(a.PAnyChurn, 0, 1));
        Assert.Contains(all, a => a.Priority.Trend is Workbench.Analytics.Ranking.Trend.Up or Workbench.Analytics.Ranking.Trend.Down);
        Assert.True(all.Count(a => a.FocusNarrative.ReasonsFor.Count > 0) > all.Count / 2, "most accounts have a told reason");
        Assert.All(all, a => Assert.Equal(a.Priority.Focus == AccountFocus.Retain ? "churn" : "upsell", a.FocusNarrative.Target));
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(fx.HostileOut, BatchScoring.BookJsonFile)));
        Assert.Equal("prod", json.RootElement.GetProperty("model").GetString());
        Assert.Equal(result.AccountCount, json.RootElement.GetProperty("accounts").GetInt32());
        Assert.True(File.Exists(fx.HostileOutput.ReportIndex));
        foreach (var book in result.Books)
            Assert.True(File.Exists(Path.Combine(fx.HostileOut, "report", Workbench.Reporting.Book.BookReport.RepFileName(book.RepId))));
    }

    [Fact]
    public void Spreadsheet_formulas_in_names_are_neutralized_in_book_csv()
    {
        var rows = ReadCsv(Path.Combine(fx.HostileOut, BatchScoring.BookCsvFile));
        var names = rows.Skip(1).Select(r => r[3]).ToHashSet();
        foreach (var formula in ScoringFixture.FormulaNames)
        {
            Assert.Contains("'" + formula, names);
            Assert.DoesNotContain(formula, names);
        }
        Assert.Contains(ScoringFixture.ScriptName, names); // not a formula: kept as is (CSV is not HTML)
        string[] textColumns = ["rep_id", "rep_name", "account_id", "account_name", "focus", "top_product", "next_action", "next_action_product", "renewal_product", "last_activity_type"];
        var text = Enumerable.Range(0, rows[0].Length).Where(j => textColumns.Contains(rows[0][j]) || rows[0][j].StartsWith("reason_", StringComparison.Ordinal));
        foreach (var r in rows.Skip(1))
            foreach (int j in text)
                Assert.False(r[j].Length > 0 && r[j][0] is '=' or '+' or '-' or '@' or '\t' or '\r', $"cell '{r[j]}' in column {rows[0][j]} would run as a formula");
    }

    [Theory]
    [InlineData("=1+1", "'=1+1")]
    [InlineData("+1", "'+1")]
    [InlineData("-2", "'-2")]
    [InlineData("@x", "'@x")]
    [InlineData("\tcmd", "'\tcmd")]
    [InlineData("\rcmd", "\"'\rcmd\"")]
    [InlineData("=HYPERLINK(\"a\",\"b\")", "\"'=HYPERLINK(\"\"a\"\",\"\"b\"\")\"")]
    [InlineData("plain, text", "\"plain, text\"")]
    public void CsvText_neutralizes_formula_cells(string text, string expected) => Assert.Equal(expected, CsvText.Cell(text));

    [Fact]
    public void Names_are_html_escaped_in_every_page_and_in_embedded_json()
    {
        var pages = Directory.GetFiles(Path.Combine(fx.HostileOut, "report"), "*.html");
        Assert.True(pages.Length >= 2);
        var escaped = System.Net.WebUtility.HtmlEncode(ScoringFixture.ScriptName);
        Assert.Equal("&lt;script&gt;alert(1)&lt;/script&gt;", escaped);
        bool seen = false, repSeen = false;
        foreach (var page in pages)
        {
            var html = File.ReadAllText(page);
            Assert.DoesNotContain(ScoringFixture.ScriptName, html);
            Assert.DoesNotContain(ScoringFixture.RepName, html);
            Assert.DoesNotContain("alert(1)</script>", html);
            seen |= html.Contains(escaped, StringComparison.Ordinal);
            repSeen |= html.Contains("Rep &lt;b&gt;&amp;&lt;/b&gt; &quot;Quotes&quot;", StringComparison.Ordinal);
            // Every script element's body is code we wrote or chart JSON: no '<' inside except the closing tag.
            foreach (var body in ScriptBodies(html)) Assert.DoesNotContain("<", body);
        }
        Assert.True(seen, "the hostile account name appears escaped");
        Assert.True(repSeen, "the hostile rep name appears escaped");
        Assert.DoesNotContain(ScoringFixture.ScriptName, File.ReadAllText(Path.Combine(fx.HostileOut, BatchScoring.BookJsonFile)));
    }

    static IEnumerable<string> ScriptBodies(string html)
    {
        int i = 0;
        while ((i = html.IndexOf("<script", i, StringComparison.Ordinal)) >= 0)
        {
            int start = html.IndexOf('>', i) + 1, end = html.IndexOf("</script>", start, StringComparison.Ordinal);
            yield return html[start..end];
            i = end;
        }
    }

    [Fact]
    public void Script_json_escapes_angle_brackets_and_ampersands() =>
        Assert.Equal("{\"t\":\"\\u003c/script\\u003e\\u0026\"}", Workbench.Reporting.Book.BookReport.ScriptJson("{\"t\":\"</script>&\"}"));

    [Fact]
    public void Scoring_twice_writes_the_same_bytes()
    {
        var again = Path.Combine(TestPaths.NewTempDir("score-again"), "out");
        BatchScoring.Run(fx.Store, "prod", fx.HostileData, again);
        var files = Directory.GetFiles(fx.HostileOut, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(fx.HostileOut, f)).Order().ToList();
        Assert.Contains("book.csv", files);
        Assert.Contains(Path.Combine("report", "index.html"), files);
        Assert.Equal(files, Directory.GetFiles(again, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(again, f)).Order());
        foreach (var f in files) Assert.True(File.ReadAllBytes(Path.Combine(fx.HostileOut, f)).SequenceEqual(File.ReadAllBytes(Path.Combine(again, f))), f + " differs");
    }

    [Fact]
    public void An_unknown_model_name_is_refused_listing_the_promoted_names_and_writes_nothing()
    {
        var outDir = Path.Combine(TestPaths.NewTempDir("score-unknown"), "out");
        var ex = Assert.Throws<WorkbenchException>(() => BatchScoring.Run(fx.Store, "no-such-model", fx.HostileData, outDir));
        Assert.Contains("No promoted model named 'no-such-model'", ex.Message);
        Assert.Contains("prod", ex.Message);
        Assert.False(Directory.Exists(outDir));
    }

    /// <summary>Changes entries of a model folder's one model file in place (zip update).</summary>
    static void TamperModelFile(string modelDir, Action<ZipArchive> change)
    {
        using var zip = ZipFile.Open(Path.Combine(modelDir, RankingArtifacts.ModelFile), ZipArchiveMode.Update);
        change(zip);
    }

    static byte[] ReadEntry(ZipArchive zip, string name)
    {
        using var s = zip.GetEntry(name)!.Open();
        using var ms = new MemoryStream();
        s.CopyTo(ms);
        return ms.ToArray();
    }

    static void WriteEntry(ZipArchive zip, string name, byte[] bytes)
    {
        zip.GetEntry(name)?.Delete();
        using var s = zip.CreateEntry(name).Open();
        s.Write(bytes);
    }

    [Fact]
    public void A_model_expecting_a_feature_the_data_does_not_produce_is_refused_naming_it()
    {
        string renamed = "";
        var name = PromoteTampered(dir => TamperModelFile(dir, zip =>
        {
            // Both propensity models say 'made_up_feature' where the data builds another column.
            foreach (var entry in new[] { "churn.model.zip", "upsell.model.zip" })
            {
                var inner = new MemoryStream();
                inner.Write(ReadEntry(zip, entry));
                renamed = RenameLastFeatureInHeader(inner, "made_up_feature");
                WriteEntry(zip, entry, inner.ToArray());
            }
        }));
        var outDir = Path.Combine(TestPaths.NewTempDir("score-schema"), "out");
        var ex = Assert.Throws<WorkbenchException>(() => BatchScoring.Run(fx.Store, name, ScoringFixture.Sample, outDir));
        Assert.Contains($"model '{name}'", ex.Message);
        Assert.Contains("does not match the churn model", ex.Message);
        Assert.Contains("Missing: made_up_feature.", ex.Message);
        Assert.Contains($"Unexpected: {renamed}.", ex.Message);
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void Training_options_that_build_other_features_are_refused_naming_the_unexpected_ones()
    {
        var name = PromoteTampered(dir => TamperModelFile(dir, zip =>
        {
            var options = JsonNode.Parse(ReadEntry(zip, "options.json"))!.AsObject();
            options["features"]!["missing"] = "MedianWithIndicator";
            WriteEntry(zip, "options.json", Encoding.UTF8.GetBytes(options.ToJsonString()));
        }));
        var outDir = Path.Combine(TestPaths.NewTempDir("score-options"), "out");
        var ex = Assert.Throws<WorkbenchException>(() => BatchScoring.Run(fx.Store, name, ScoringFixture.Sample, outDir));
        Assert.Contains($"model '{name}'", ex.Message);
        Assert.Contains("Unexpected: ", ex.Message);
        Assert.Contains("_missing", ex.Message);
        Assert.Contains("MedianWithIndicator", ex.Message);
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void A_model_file_holding_the_wrong_target_is_refused()
    {
        var name = PromoteTampered(dir => TamperModelFile(dir, zip => WriteEntry(zip, "churn.model.zip", ReadEntry(zip, "upsell.model.zip"))));
        var ex = Assert.Throws<WorkbenchException>(() => BatchScoring.Run(fx.Store, name, ScoringFixture.Sample, Path.Combine(TestPaths.NewTempDir("score-target"), "out")));
        Assert.Contains("holds a 'upsell' model, expected 'churn'", ex.Message);
    }

    [Fact]
    public void A_model_file_from_a_future_version_is_refused_naming_both_versions()
    {
        var name = PromoteTampered(dir => TamperModelFile(dir, zip =>
        {
            var manifest = JsonNode.Parse(ReadEntry(zip, "manifest.json"))!.AsObject();
            manifest["version"] = 99;
            WriteEntry(zip, "manifest.json", Encoding.UTF8.GetBytes(manifest.ToJsonString()));
        }));
        var ex = Assert.Throws<WorkbenchException>(() => BatchScoring.Run(fx.Store, name, ScoringFixture.Sample, Path.Combine(TestPaths.NewTempDir("score-version"), "out")));
        Assert.Contains("model format version 99", ex.Message);
        Assert.Contains($"up to version {Workbench.Analytics.Prioritization.PrioritizerModel.FormatVersion}", ex.Message);
    }

    [Fact]
    public void Promotion_stores_one_model_file()
    {
        var dir = Workbench.Experiments.Promotion.ModelRegistry.Resolve(fx.Store, "prod");
        Assert.Equal([RankingArtifacts.ModelFile], Directory.GetFileSystemEntries(dir).Select(Path.GetFileName));
    }

    [Fact]
    public void Scoring_the_promoted_file_gives_the_same_book_bytes_as_the_in_memory_model()
    {
        var data = new CrmCatalog(ScoringFixture.Sample).Load().Dataset;
        var inMemory = fx.TrainedModel.Score(data, name: "prod");
        var memoryOut = Path.Combine(TestPaths.NewTempDir("score-memory"), "out");
        BatchScoring.Write(inMemory, memoryOut, fx.TrainedModel.Options.Explanation);
        var fileOut = Path.Combine(TestPaths.NewTempDir("score-file"), "out");
        BatchScoring.Run(fx.Store, "prod", ScoringFixture.Sample, fileOut);
        foreach (var f in new[] { BatchScoring.BookCsvFile, BatchScoring.BookJsonFile })
            Assert.True(File.ReadAllBytes(Path.Combine(memoryOut, f)).SequenceEqual(File.ReadAllBytes(Path.Combine(fileOut, f))), f + " differs");
    }

    [Fact]
    public void An_output_folder_holding_other_files_is_refused_and_left_untouched()
    {
        var outDir = TestPaths.NewTempDir("score-occupied");
        File.WriteAllText(Path.Combine(outDir, "notes.txt"), "mine");
        var ex = Assert.Throws<WorkbenchException>(() => BatchScoring.Run(fx.Store, "prod", ScoringFixture.Sample, outDir));
        Assert.Contains("does not hold a previous scoring", ex.Message);
        Assert.Equal(["notes.txt"], Directory.GetFileSystemEntries(outDir).Select(Path.GetFileName));
    }

    [Fact]
    public void An_as_of_date_past_the_month_after_the_data_is_refused()
    {
        var data = new CrmCatalog(ScoringFixture.Sample).Load().Dataset;
        var ex = Assert.Throws<OptionsValidationException>(() => ScoringFeatures.Build(data, new DateOnly(2026, 3, 1)));
        Assert.Contains("the latest as-of date is 2026-01-01", ex.Message);
        Assert.Contains("first day of a month", Assert.Throws<OptionsValidationException>(() => ScoringFeatures.Build(data, new DateOnly(2025, 6, 15))).Message);
        var mid = ScoringFeatures.Build(data, new DateOnly(2025, 6, 1));
        Assert.Equal(new DateOnly(2025, 5, 1), mid.PreviousAsOf);
        Assert.All(mid.Features.Snapshots, s => Assert.True(s.AsOfMonth == mid.AsOfMonth || s.AsOfMonth == mid.PreviousMonth));
    }

    [Fact]
    public void The_cli_promotes_and_scores_and_refuses_a_malformed_floor()
    {
        static int Run(params string[] args) => CliRunner.InvokeAsync(CliApp.BuildRoot(), args).GetAwaiter().GetResult();
        var id = NewName("cli"); var name = NewName("cli-model");
        fx.WriteRun(id, RunStatus.Succeeded);
        Assert.Equal(2, Run("promote", id, "--as", name, "--store", fx.Store.Root, "--floor", "churn.auc:0.5"));
        Assert.Equal(2, Run("promote", id, "--as", name, "--store", fx.Store.Root, "--floor", "churn.auc=0.99"));
        Assert.Equal(0, Run("promote", id, "--as", name, "--store", fx.Store.Root, "--floor", "churn.auc=0.5"));
        var outDir = Path.Combine(TestPaths.NewTempDir("score-cli"), "out");
        Assert.Equal(0, Run("score", "--model", name, "--data", ScoringFixture.Sample, "--out", outDir, "--store", fx.Store.Root, "--as-of", "2025-12-01"));
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "book.json")));
        Assert.Equal("2025-12-01", json.RootElement.GetProperty("as_of").GetString());
        Assert.Equal(2, Run("score", "--model", name, "--data", ScoringFixture.Sample, "--out", outDir, "--store", fx.Store.Root, "--as-of", "Dec 2025"));
    }

    /// <summary>Renames the last feature of a propensity model's header (a zip in <paramref name="model"/>); returns the old name.</summary>
    static string RenameLastFeatureInHeader(MemoryStream model, string to)
    {
        using var zip = new ZipArchive(model, ZipArchiveMode.Update, leaveOpen: true);
        var header = JsonNode.Parse(ReadEntry(zip, "propensity.json"))!.AsObject();
        var features = header["features"]!.AsArray();
        var from = features[^1]!.GetValue<string>();
        features[^1] = to;
        WriteEntry(zip, "propensity.json", Encoding.UTF8.GetBytes(header.ToJsonString()));
        return from;
    }
}
