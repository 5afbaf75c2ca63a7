namespace Workbench;

/// <summary>A value that knows how to show itself as HTML in a notebook (a convention of the notebook engine for types
/// written in or for notebooks). The engine calls <see cref="ToHtml"/> for the text/html output and still uses
/// <c>ToString()</c> for text/plain. Workbench result types do not implement it: their renderings are registered with
/// <see cref="DisplayRegistry"/> by Workbench.Reporting. Implementations must escape any text they embed.</summary>
public interface IHtmlDisplay
{
    /// <summary>An HTML fragment (no &lt;html&gt;/&lt;body&gt;), self-contained and escaped.</summary>
    string ToHtml();
}
