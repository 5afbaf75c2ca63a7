using System.Text.Json.Nodes;
using Workbench.Analytics.Modeling;
using Xunit;

namespace Workbench.Tests.Modeling;

public class ModelFileTests
{
    static byte[] Write(string kind, int version, string payload)
    {
        using var ms = new MemoryStream();
        ModelFile.Write(ms, kind, version, w => w.AddJson("body.json", new JsonObject { ["payload"] = payload }));
        return ms.ToArray();
    }

    [Fact]
    public void A_model_file_round_trips_its_entries_and_version()
    {
        using var reader = ModelFile.Open(new MemoryStream(Write("lifetime", 1, "x")), "lifetime", 2);
        Assert.Equal(1, reader.Version);
        Assert.Equal("x", reader.ReadJson("body.json")["payload"]!.GetValue<string>());
    }

    [Fact]
    public void The_same_model_writes_the_same_bytes() => Assert.Equal(Write("k", 1, "same"), Write("k", 1, "same"));

    [Fact]
    public void A_file_from_a_newer_version_is_refused_naming_both_versions()
    {
        var ex = Assert.Throws<WorkbenchException>(() => ModelFile.Open(new MemoryStream(Write("prioritizer", 7, "x")), "prioritizer", 1, "m.wbm"));
        Assert.Contains("m.wbm", ex.Message);
        Assert.Contains("version 7", ex.Message);
        Assert.Contains("up to version 1", ex.Message);
    }

    [Fact]
    public void A_file_of_another_kind_is_refused_naming_both_kinds()
    {
        var ex = Assert.Throws<WorkbenchException>(() => ModelFile.Open(new MemoryStream(Write("territory", 1, "x")), "prioritizer", 1));
        Assert.Contains("'territory'", ex.Message);
        Assert.Contains("'prioritizer'", ex.Message);
    }

    [Fact]
    public void A_file_that_is_not_a_zip_is_refused_clearly()
    {
        var ex = Assert.Throws<WorkbenchException>(() => ModelFile.Open(new MemoryStream("hello"u8.ToArray()), "prioritizer", 1, "x.wbm"));
        Assert.Contains("not a Workbench model file", ex.Message);
    }

    [Fact]
    public void A_missing_entry_is_named()
    {
        using var reader = ModelFile.Open(new MemoryStream(Write("k", 1, "x")), "k", 1);
        var ex = Assert.Throws<WorkbenchException>(() => reader.ReadBytes("weights.bin"));
        Assert.Contains("'weights.bin'", ex.Message);
    }
}
