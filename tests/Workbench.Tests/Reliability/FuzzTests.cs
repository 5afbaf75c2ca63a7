using System.Text;
using CsCheck;
using Workbench.Data;
using Workbench.Notebooks;
using Workbench.Tests.Data;

namespace Workbench.Tests.Reliability;

/// <summary>Mutated inputs (CSV, Parquet, mapping, .ipynb) end in success or a located refusal: never an unhandled
/// exception, never a partial output. Mutations come from CsCheck generators drawn from a fixed seed with a bounded
/// case count, so a failure reproduces; WORKBENCH_FUZZ_LONG=1 runs 20x the cases (docs/reliability.md).</summary>
public class FuzzTests
{
    /// <summary>One mutation: what to do (kind), where (position as a fraction of the file), with which token or byte.</summary>
    public sealed record Mutation(int File, int Kind, double Where, int Token, int Count)
    {
        public override string ToString() => $"file {File}, kind {Kind}, at {Where:0.####}, token {Token}, count {Count}";
    }

    static readonly Gen<Mutation> Mutations =
        Gen.Select(Gen.Int[0, 1000], Gen.Int[0, 5], Gen.Double[0, 1], Gen.Int[0, 1000], Gen.Int[1, 8])
           .Select((f, k, w, t, c) => new Mutation(f, k, w, t, c));

    static int Scale => Environment.GetEnvironmentVariable("WORKBENCH_FUZZ_LONG") == "1" ? 20 : 1;

    /// <summary>The base seed: 42 in the suite; WORKBENCH_FUZZ_SEED=N draws a different set of cases (re-runs with new seeds).</summary>
    static int BaseSeed => int.TryParse(Environment.GetEnvironmentVariable("WORKBENCH_FUZZ_SEED"), System.Globalization.NumberStyles.Integer,
        System.Globalization.CultureInfo.InvariantCulture, out var s) ? s : 42;

    /// <summary>Runs <paramref name="cases"/> mutations drawn from a fixed seed (stream 1, a seed per purpose mixed from
    /// <see cref="BaseSeed"/>); a failure names the purpose, the case and the seed.</summary>
    static void ForEachMutation(string purpose, int cases, Action<Mutation> check)
    {
        var pcg = new PCG(1, (ulong)purpose.Aggregate(BaseSeed, (h, c) => h * 31 + c));
        for (int i = 0; i < cases * Scale; i++)
        {
            var m = Mutations.Generate(pcg, null, out _);
            try { check(m); }
            catch (Exception ex) { throw new Xunit.Sdk.XunitException($"{purpose} case {i} (seed {BaseSeed}, {m}) failed: {ex}"); }
        }
    }

    static readonly byte[][] Tokens =
    [
        "\""u8.ToArray(), ","u8.ToArray(), "\n"u8.ToArray(), "\r"u8.ToArray(), [0], [0xC3, 0x28], [0xFF, 0xFE], [0xE2, 0x82],
        "9999-12-31"u8.ToArray(), "0001-01-01"u8.ToArray(), "2999-01-01"u8.ToArray(), "-1"u8.ToArray(), "NaN"u8.ToArray(), "1e400"u8.ToArray(),
        "\"\""u8.ToArray(), Encoding.ASCII.GetBytes(new string('x', 5000)), "\u001b[2J"u8.ToArray(), "null"u8.ToArray(), "{"u8.ToArray(),
        "}"u8.ToArray(), "["u8.ToArray(), "]"u8.ToArray(), ":"u8.ToArray(), "\"\\ud800\""u8.ToArray(), "12345678901234567890"u8.ToArray(),
        "true"u8.ToArray(), "\"tags\": [5]"u8.ToArray(),
    ];

    /// <summary>Applies one mutation to bytes: a bit flip burst, a truncation, a token inserted, a range deleted,
    /// bytes overwritten, or a line duplicated.</summary>
    static byte[] Mutate(byte[] bytes, Mutation m)
    {
        if (bytes.Length == 0) return Tokens[m.Token % Tokens.Length];
        int at = Math.Min(bytes.Length - 1, (int)(m.Where * bytes.Length));
        var rng = new Random(m.Token * 31 + m.Count);
        switch (m.Kind)
        {
            case 0:
                var flipped = (byte[])bytes.Clone();
                for (int i = 0; i < m.Count; i++) flipped[(at + rng.Next(64)) % flipped.Length] ^= (byte)(1 << rng.Next(8));
                return flipped;
            case 1: return bytes[..at];
            case 2: return [.. bytes[..at], .. Tokens[m.Token % Tokens.Length], .. bytes[at..]];
            case 3: return [.. bytes[..at], .. bytes[Math.Min(bytes.Length, at + m.Count * 7)..]];
            case 4:
                var over = (byte[])bytes.Clone();
                for (int i = 0; i < m.Count * 4 && at + i < over.Length; i++) over[at + i] = (byte)rng.Next(256);
                return over;
            default:
                int start = Array.LastIndexOf(bytes, (byte)'\n', at) + 1;
                int end = Array.IndexOf(bytes, (byte)'\n', at);
                end = end < 0 ? bytes.Length : end + 1;
                return [.. bytes[..end], .. bytes[start..end], .. bytes[end..]];
        }
    }

    static string CopyFixture(string source, string purpose)
    {
        var dir = TestPaths.NewTempDir(purpose);
        foreach (var f in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            var to = Path.Combine(dir, Path.GetRelativePath(source, f));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(f, to);
        }
        return dir;
    }

    /// <summary>Loads strict then lenient: each either succeeds or throws a located <see cref="WorkbenchException"/>,
    /// and a failed load leaves no temporary or rejects files behind.</summary>
    static void LoadsOrRefusesWithLocation(string dir, DataFormat format)
    {
        foreach (var mode in new[] { ValidationMode.Strict, ValidationMode.Lenient })
        {
            try { new CrmCatalog(dir).Load(new LoadOptions { Format = format, Mode = mode }); }
            catch (DataValidationException ex)
            {
                Assert.NotEmpty(ex.Problems);
                Assert.All(ex.Problems, p => Assert.False(string.IsNullOrEmpty(p.File)));
                if (mode == ValidationMode.Strict) Assert.False(Directory.Exists(Path.Combine(dir, "rejects")), "a strict failure wrote rejects");
            }
            Assert.Empty(Directory.GetFiles(dir, "*.tmp", SearchOption.AllDirectories));
        }
    }

    static string Fixture(DataFormat format)
    {
        var dir = TestPaths.NewTempDir("fuzz-src-" + format);
        new CrmCatalog(dir).Write(CrmFixture.Small(), new WriteOptions { Format = format });
        return dir;
    }

    [Fact]
    public void Mutated_csv_datasets_load_or_are_refused_with_a_location()
    {
        var source = Fixture(DataFormat.Csv);
        var files = Directory.GetFiles(source, "*.csv", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
        ForEachMutation("csv", 120, m =>
        {
            var dir = CopyFixture(source, "fuzz-csv");
            var target = Path.Combine(dir, Path.GetRelativePath(source, files[m.File % files.Length]));
            File.WriteAllBytes(target, Mutate(File.ReadAllBytes(target), m));
            LoadsOrRefusesWithLocation(dir, DataFormat.Csv);
            Directory.Delete(dir, true);
        });
    }

    [Fact]
    public void Mutated_parquet_datasets_load_or_are_refused_with_a_location()
    {
        var source = Fixture(DataFormat.Parquet);
        var files = Directory.GetFiles(source, "*.parquet", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
        ForEachMutation("parquet", 120, m =>
        {
            var dir = CopyFixture(source, "fuzz-pq");
            var target = Path.Combine(dir, Path.GetRelativePath(source, files[m.File % files.Length]));
            File.WriteAllBytes(target, Mutate(File.ReadAllBytes(target), m with { Kind = m.Kind % 5 }));
            LoadsOrRefusesWithLocation(dir, DataFormat.Parquet);
            Directory.Delete(dir, true);
        });
    }

    [Fact]
    public void Mutated_mapping_files_load_or_are_refused_with_a_message()
    {
        var mappings = Directory.GetFiles(Path.Combine(TestPaths.RepoRoot, "data-samples", "mappings"), "*.json").Order(StringComparer.Ordinal).ToArray();
        var dir = TestPaths.NewTempDir("fuzz-map");
        ForEachMutation("mapping", 300, m =>
        {
            var path = Path.Combine(dir, "mapping.json");
            File.WriteAllBytes(path, Mutate(File.ReadAllBytes(mappings[m.File % mappings.Length]), m));
            try { DataMapping.Load(path); }
            catch (OptionsValidationException ex) { Assert.Contains("mapping", ex.Message); }
        });
    }

    [Fact]
    public void Mutated_experiment_specs_parse_or_are_refused_with_a_located_message()
    {
        // The committed specs plus one that sets every section (nulls, enums, lists, maps), read from files so invalid
        // UTF-8 reaches the reader as bytes.
        var sample = System.Text.Json.Nodes.JsonValue.Create(Path.Combine(TestPaths.RepoRoot, "data-samples", "generated"))!.ToJsonString();
        var every = Encoding.UTF8.GetBytes("{\n  \"name\": \"every\",\n  \"seed\": 7,\n  \"data\": { \"path\": " + sample + ", \"lenient\": false },\n" +
            "  \"labels\": { \"source\": \"auto\", \"downgrade_is_churn\": true, \"churn_threshold\": 0.5 },\n" +
            "  \"features\": { \"missing\": \"keep_nan\", \"winsorize_quantile\": null },\n" +
            "  \"ranking\": { \"algorithm\": \"logistic_regression\", \"trees\": 20, \"grade_cutoffs\": [0.5, 0.2] },\n" +
            "  \"segmentation\": { \"method\": \"gmm\", \"k\": null, \"as_of\": \"2024-01-01\" },\n" +
            "  \"impact\": null,\n  \"promotion_floors\": { \"churn.auc\": 0.6 }\n}\n");
        var specs = Directory.GetFiles(Path.Combine(TestPaths.RepoRoot, "experiments"), "*.json").Order(StringComparer.Ordinal)
            .Select(File.ReadAllBytes).Append(every).ToArray();
        var dir = TestPaths.NewTempDir("fuzz-spec");
        ForEachMutation("spec", 300, m =>
        {
            var path = Path.Combine(dir, "spec.json");
            File.WriteAllBytes(path, Mutate(specs[m.File % specs.Length], m));
            try { Workbench.Experiments.Specs.ExperimentSpec.Load(path); }
            catch (OptionsValidationException ex) { Assert.Contains(path, ex.Message); }
        });
    }

    [Fact]
    public void Mutated_notebooks_parse_or_are_refused_with_a_location_and_lint_never_throws()
    {
        // The small notebooks (the walkthroughs with chart outputs are megabytes: slow to mutate, no new structure).
        var notebooks = Directory.GetFiles(Path.Combine(TestPaths.RepoRoot, "notebooks"), "*.ipynb").Order(StringComparer.Ordinal)
            .Where(f => new FileInfo(f).Length < 100_000).Append(Path.Combine(TestPaths.RepoRoot, "tests", "kernel", "smoke.ipynb")).ToArray();
        var texts = notebooks.Select(File.ReadAllBytes).ToArray();
        ForEachMutation("ipynb", 300, m =>
        {
            var bytes = Mutate(texts[m.File % texts.Length], m);
            NotebookDocument doc;
            try { doc = NotebookDocument.Parse(new UTF8Encoding(false, false).GetString(bytes), "fuzz.ipynb"); }
            catch (DataValidationException ex)
            {
                Assert.All(ex.Problems, p => Assert.Equal("fuzz.ipynb", p.File));
                return;
            }
            NotebookLinter.Lint(doc);
            foreach (var cell in doc.Cells) { _ = cell.Source; _ = cell.Tags; _ = cell.ReadOutputs(); }
            doc.ToJson();
        });
    }
}
