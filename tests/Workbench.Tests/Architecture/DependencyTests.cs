using System.Reflection;
using System.Reflection.Metadata.Ecma335;
using NetArchTest.Rules;

namespace Workbench.Tests.Architecture;

/// <summary>Keeps the arrows of DESIGN.md true: dependencies point down the assembly table, Analytics does no
/// file I/O and no plotting, Reporting computes nothing, and nothing references the CLI or the notebook engine.</summary>
public class DependencyTests
{
    static Assembly Load(string name) => Assembly.Load(name);
    static Types TypesOf(string assembly) => Types.InAssembly(Load(assembly));

    static void AssertNone(Types types, params string[] forbidden) => AssertNone(types.That().HaveNameStartingWith(""), forbidden);

    static void AssertNone(PredicateList types, params string[] forbidden)
    {
        var result = types.Should().NotHaveDependencyOnAny(forbidden).GetResult();
        Assert.True(result.IsSuccessful, "Forbidden dependency in: " + string.Join(", ", result.FailingTypeNames ?? []));
    }

    [Fact]
    public void Core_references_only_the_base_class_library() =>
        AssertNone(TypesOf("Workbench.Core"), "Workbench.Data", "Workbench.Analytics", "Workbench.Reporting", "Workbench.Experiments",
            "Workbench.Notebooks", "Workbench.Cli", "Microsoft.ML", "Microsoft.Data.Analysis", "Plotly", "Deedle", "MathNet");

    [Fact]
    public void Data_references_only_core() =>
        AssertNone(TypesOf("Workbench.Data"), "Workbench.Analytics", "Workbench.Reporting", "Workbench.Experiments", "Workbench.Notebooks", "Workbench.Cli", "Plotly");

    [Fact]
    public void Analytics_does_no_file_io_and_no_plotting() =>
        AssertNone(TypesOf("Workbench.Analytics"), "Workbench.Data", "Workbench.Reporting", "Workbench.Experiments", "Workbench.Notebooks", "Workbench.Cli",
            "Plotly", "System.IO.File", "System.IO.Directory", "System.IO.StreamWriter", "System.IO.StreamReader", "System.Console");

    [Fact]
    public void Labeling_and_features_know_nothing_of_ranking_or_explanation() =>
        AssertNone(TypesOf("Workbench.Analytics").That().ResideInNamespace("Workbench.Analytics.Labeling").Or().ResideInNamespace("Workbench.Analytics.Features"),
            "Workbench.Analytics.Ranking", "Workbench.Analytics.Explanation", "Workbench.Analytics.Segmentation");

    [Fact]
    public void Reporting_reads_results_and_loads_no_data() =>
        AssertNone(TypesOf("Workbench.Reporting"), "Workbench.Data", "Workbench.Experiments", "Workbench.Notebooks", "Workbench.Cli");

    [Fact]
    public void Experiments_do_not_reach_up_into_the_cli_or_notebook_engine() =>
        AssertNone(TypesOf("Workbench.Experiments"), "Workbench.Notebooks", "Workbench.Cli");

    [Fact]
    public void The_notebook_engine_references_only_core() =>
        AssertNone(TypesOf("Workbench.Notebooks"), "Workbench.Data", "Workbench.Analytics", "Workbench.Reporting", "Workbench.Experiments", "Workbench.Cli");

    [Theory]
    [InlineData("Workbench.Core")]
    [InlineData("Workbench.Analytics")]
    public void Core_and_analytics_build_no_html(string assembly)
    {
        // No type implements or mentions an HTML display interface, none encodes HTML, and no string literal holds markup:
        // the HTML of results is registered by Reporting (ReportingDisplays) with the notebook engine.
        AssertNone(TypesOf(assembly), "Workbench.IHtmlDisplay", "System.Net.WebUtility", "System.Web");
        var markup = HtmlLiterals(Load(assembly));
        Assert.True(markup.Count == 0, $"HTML in string literals of {assembly}: " + string.Join(" | ", markup.Take(5)));
    }

    [Fact]
    public void The_html_check_finds_markup_where_there_is_some() =>
        Assert.NotEmpty(HtmlLiterals(Load("Workbench.Reporting")));

    static readonly string[] Tags = ["<div", "<table", "<tr", "<td", "<p>", "<p ", "<ul", "<li", "<span", "<html", "<b>", "<br", "<small"];

    /// <summary>The assembly's string literals (the #US metadata heap) that contain an HTML tag.</summary>
    static List<string> HtmlLiterals(Assembly assembly)
    {
        using var stream = File.OpenRead(assembly.Location);
        using var pe = new System.Reflection.PortableExecutable.PEReader(stream);
        var reader = System.Reflection.Metadata.PEReaderExtensions.GetMetadataReader(pe);
        var found = new List<string>();
        var handle = System.Reflection.Metadata.Ecma335.MetadataTokens.UserStringHandle(1);
        while (!handle.IsNil)
        {
            var text = reader.GetUserString(handle);
            if (Tags.Any(t => text.Contains(t, StringComparison.OrdinalIgnoreCase))) found.Add(text);
            handle = reader.GetNextHandle(handle);
        }
        return found;
    }

    [Fact]
    public void The_rule_catches_a_real_dependency()
    {
        // Guard: the checker must fail on a dependency that exists, or the tests above prove nothing.
        Assert.Throws<Xunit.Sdk.TrueException>(() => AssertNone(TypesOf("Workbench.Analytics"), "Workbench.Domain"));
        Assert.Throws<Xunit.Sdk.TrueException>(() => AssertNone(TypesOf("Workbench.Analytics"), "Microsoft.ML"));
    }
}
