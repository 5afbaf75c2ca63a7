using Workbench.Data;
using Workbench.Tests.Data;
using Workbench.Tests.Experiments;

namespace Workbench.Tests.Reliability;

/// <summary>Data printed by the CLI cannot drive the terminal: control characters come out escaped.</summary>
public class TerminalSafetyTests
{
    [Fact]
    public void Validate_prints_control_characters_of_a_bad_cell_escaped()
    {
        var dir = TestPaths.NewTempDir("term");
        new CrmCatalog(dir).Write(CrmFixture.Small());
        var path = Path.Combine(dir, "accounts.csv");
        File.WriteAllText(path, File.ReadAllText(path).Replace(",1200,", ",\"\u001b]0;pwned\u0007\u001b[2J\r\u202e12\","));
        var r = WorkbenchProcess.Run(TestPaths.NewTempDir("cwd"), "validate", dir);
        Assert.Equal(2, r.Exit);
        foreach (var c in new[] { '\u001b', '\u0007', '\r', '\u202e' })
        {
            Assert.DoesNotContain(c, r.Err);
            Assert.DoesNotContain(c, r.Out);
        }
        Assert.Contains("\\x1b]0;pwned\\x07\\x1b[2J\\r\\u202e12", r.Err);
    }

    [Fact]
    public void A_problem_escapes_its_value_but_keeps_plain_text_as_is()
    {
        Assert.Equal("f.csv:2, column 'c': value 'a\\nb\\x1b': a number", new DataProblem("f.csv", 2, "c", "a\nb\u001b", "a number").ToString());
        Assert.Equal("f.csv:2, column 'c': value 'Ünïcode, \"quoted\"': x", new DataProblem("f.csv", 2, "c", "Ünïcode, \"quoted\"", "x").ToString());
    }
}
