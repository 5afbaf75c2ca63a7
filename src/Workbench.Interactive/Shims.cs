namespace Workbench.Notebooks;

// The engine member DisplayFormatter.cs (compiled in from Workbench.Notebooks) uses, without the engine itself
// (which carries Roslyn and NetMQ, and must not load into .NET Interactive's process). IsManagedAssembly comes from
// Engine/AssemblyFiles.cs, compiled in the same way.

/// <summary>Values written for the workbench-csharp engine may implement the engine's Workbench.IHtmlDisplay; that
/// assembly is not loaded under .NET Interactive, so this stand-in is never implemented there.</summary>
internal interface IHtmlDisplay
{
    string ToHtml();
}
