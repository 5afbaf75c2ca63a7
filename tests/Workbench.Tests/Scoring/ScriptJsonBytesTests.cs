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

    [Theory]
    [InlineData(1, 64)]     // every append its own chunk: surrogate pairs split between chunks
    [InlineData(3, 5)]      // a byte buffer smaller than a chunk's bytes: several converts per chunk
    [InlineData(1024, 64)]
    public void A_page_builders_chunks_encoded_one_by_one_are_the_utf8_bytes_of_its_text(int capacity, int bufferBytes)
    {
        var sb = new StringBuilder(capacity);
        foreach (var piece in new[] { "plain <b>", "a\uD83D", "\uDE00 emoji split", "\u00E9t\u00E9 \u2192 ", "\uD83D", "\uDE01", "x", "lone \uD800 high", "\uDC00 lone low" })
            sb.Append(piece);
        using var stream = new MemoryStream();
        var encoder = new UTF8Encoding(false).GetEncoder();
        var bytes = new byte[bufferBytes];
        foreach (var chunk in sb.GetChunks()) BookPages.Encode(stream, encoder, bytes, chunk.Span, flush: false);
        BookPages.Encode(stream, encoder, bytes, [], flush: true);
        Assert.Equal(new UTF8Encoding(false).GetBytes(sb.ToString()), stream.ToArray());
    }
}
