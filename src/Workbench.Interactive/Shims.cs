using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Workbench.Notebooks;

// The two engine members DisplayFormatter.cs (compiled in from Workbench.Notebooks) uses, without the engine itself
// (which carries Roslyn and NetMQ, and must not load into .NET Interactive's process).

/// <summary>Values written for the workbench-csharp engine may implement the engine's Workbench.IHtmlDisplay; that
/// assembly is not loaded under .NET Interactive, so this stand-in is never implemented there.</summary>
internal interface IHtmlDisplay
{
    string ToHtml();
}

internal static class SessionReferences
{
    internal static bool IsManagedAssembly(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var pe = new PEReader(stream);
            return pe.HasMetadata && pe.GetMetadataReader().IsAssembly;
        }
        catch (BadImageFormatException) { return false; }
        catch (IOException) { return false; }
    }
}
