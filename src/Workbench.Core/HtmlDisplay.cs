namespace Workbench;

/// <summary>A result that knows how to show itself as HTML in a notebook. The notebook engine calls
/// <see cref="ToHtml"/> for the text/html output and still uses <c>ToString()</c> for text/plain.
/// Implementations must escape any text they embed (the engine inserts the fragment as is).</summary>
public interface IHtmlDisplay
{
    /// <summary>An HTML fragment (no &lt;html&gt;/&lt;body&gt;), self-contained and escaped.</summary>
    string ToHtml();
}
