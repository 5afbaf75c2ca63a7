using System.Text;
using Workbench.Experiments.Specs;

namespace Workbench.Tests.Reliability;

/// <summary>Spec JSON edge cases: one rule for null across key types, lone surrogates, duplicate keys and invalid
/// UTF-8 are located refusals (path and line, or byte offset), never an unhandled exception or a silent default.</summary>
public class SpecJsonFaultTests
{
    static readonly string Sample = Path.Combine(TestPaths.RepoRoot, "data-samples", "generated");

    static string Minimal(string extra) =>
        "{\n  \"name\": \"t\",\n  \"data\": { \"path\": " + System.Text.Json.Nodes.JsonValue.Create(Sample).ToJsonString() + " },\n" + extra + "\n}\n";

    static string ErrorOfBytes(byte[] bytes)
    {
        var path = Path.Combine(TestPaths.NewTempDir("spec-json"), "bad.json");
        File.WriteAllBytes(path, bytes);
        return Assert.Throws<OptionsValidationException>(() => ExperimentSpec.Load(path)).Message;
    }

    static string ErrorOf(string json) => ErrorOfBytes(Encoding.UTF8.GetBytes(json));

    [Theory]
    [InlineData("ranking", "trees", "an integer")]                       // int
    [InlineData("ranking", "learning_rate", "a number")]                 // double
    [InlineData("ranking", "algorithm", "one of light_gbm")]             // enum
    [InlineData("ranking", "calibration", "one of")]                     // enum
    [InlineData("labels", "downgrade_is_churn", "true or false")]        // bool
    [InlineData("ranking", "grade_cutoffs", "an array of numbers")]      // list
    [InlineData("snapshots", "eligibility", "one of")]                   // enum
    public void Null_for_a_key_with_a_non_null_default_is_refused_with_its_path_and_line_whatever_the_type(string section, string key, string expected)
    {
        var message = ErrorOf(Minimal($"  \"{section}\": {{\n    \"{key}\": null\n  }}"));
        Assert.Contains($"bad.json:5: $.{section}.{key}: expected {expected}", message);
        Assert.Contains("got null", message);
    }

    [Theory]
    [InlineData("  \"ranking\": null", "bad.json:4: $.ranking: expected an object, got null")]
    [InlineData("  \"promotion_floors\": null", "bad.json:4: $.promotion_floors: expected an object of metric name -> number, got null")]
    [InlineData("  \"seed\": null", "bad.json:4: $.seed: expected an integer, got null")]
    public void Null_for_a_section_a_map_or_a_top_level_number_is_refused_the_same_way(string member, string expected)
    {
        Assert.Contains(expected, ErrorOf(Minimal(member)));
    }

    [Fact]
    public void Null_is_accepted_where_the_documented_default_is_null_and_means_the_default()
    {
        var spec = ExperimentSpec.Parse(Minimal(
            "  \"segmentation\": { \"k\": null, \"seed\": null, \"as_of\": null },\n" +
            "  \"features\": { \"winsorize_quantile\": null },\n  \"labels\": { \"source\": null },\n  \"impact\": null,\n  \"territory\": null"), TestPaths.RepoRoot);
        Assert.Null(spec.Segmentation.K);
        Assert.Null(spec.Segmentation.AsOf);
        Assert.Null(spec.Impact);
        Assert.Null(spec.Territory);
        Assert.Null(spec.LabelSource);
    }

    [Theory]
    [InlineData("  \"name2\": \"\\ud800\"", "$.name2")]
    [InlineData("  \"ranking\": { \"algorithm\": \"light\\udc00gbm\" }", "$.ranking.algorithm")]
    [InlineData("  \"x\\ud800\": 1", "$.<key>")]
    public void A_lone_surrogate_escape_is_refused_with_the_path_and_line(string member, string path)
    {
        var message = ErrorOf(Minimal(member));
        Assert.Contains($"bad.json:4: {path}: the string", message);
        Assert.Contains("lone surrogate", message);
    }

    [Fact]
    public void A_raw_lone_surrogate_in_spec_text_is_refused_with_line_and_column()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => ExperimentSpec.Parse(Minimal("  \"name2\": \"a\ud800\""), TestPaths.RepoRoot, "spec.json"));
        Assert.Contains("spec.json:4: column 14: a lone surrogate (U+D800)", ex.Message);
    }

    [Fact]
    public void A_duplicate_key_is_refused_with_the_path_and_the_line_of_the_second_one()
    {
        var message = ErrorOf(Minimal("  \"ranking\": {\n    \"trees\": 10,\n    \"trees\": 20\n  }"));
        Assert.Contains("bad.json:6: $.ranking.trees: duplicate key.", message);
    }

    [Fact]
    public void Invalid_utf8_in_a_spec_file_is_refused_with_its_byte_offset_instead_of_being_replaced()
    {
        var head = Encoding.UTF8.GetBytes(Minimal("  \"name2\": \"ab"));
        int cut = Array.LastIndexOf(head, (byte)'b') + 1;
        var bytes = head[..cut].Concat(new byte[] { 0xC3, 0x28 }).Concat(head[cut..]).ToArray(); // 0xC3 needs a continuation byte
        var message = ErrorOfBytes(bytes);
        Assert.Contains($"bad.json:4: invalid UTF-8 at byte offset {cut} (bytes C3 28", message);
    }

    [Fact]
    public void A_byte_order_mark_is_not_invalid_utf8()
    {
        var path = Path.Combine(TestPaths.NewTempDir("spec-bom"), "bom.json");
        File.WriteAllBytes(path, new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.UTF8.GetBytes(Minimal("  \"seed\": 7"))).ToArray());
        Assert.Equal(7, ExperimentSpec.Load(path).Seed);
    }
}
