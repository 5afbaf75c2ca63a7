using System.Text;
using Workbench.Reporting.Book;

namespace Workbench.Tests.Scoring;

/// <summary>The rep pages escape their details JSON on its UTF-8 bytes (<c>BookPages.WriteScriptJson</c>); the bytes must be
/// those of <see cref="BookReport.ScriptJson"/> applied to the decoded text, then encoded again.</summary>
public class ScriptJsonBytesTests
{
    [Theory]
    [InlineData("")]
    [InlineData("{\"t\":\"</script>&\"}")]
    [InlineData("<<>>&&")]
    [InlineData("line\u2028separator\u2029paragraph")]
    [InlineData("\u2028")]
    [InlineData("arrow \u2192 dash \u2013 ellipsis \u2026 euro \u20AC")] // other E2 sequences stay as they are
    [InlineData("emoji \U0001F600 and \u00E9 <b>")]
    [InlineData("ends with \u2192")]
    public void Escaping_the_bytes_gives_the_bytes_of_escaping_the_text(string text)
    {
        using var stream = new MemoryStream();
        BookPages.WriteScriptJson(stream, Encoding.UTF8.GetBytes(text));
        Assert.Equal(Encoding.UTF8.GetBytes(BookReport.ScriptJson(text)), stream.ToArray());
    }
}
