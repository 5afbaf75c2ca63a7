using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Workbench.Notebooks;

/// <summary>Reads a file's headers to tell a managed assembly from a native library or anything else, without loading it.
/// Compiled into Workbench.Notebooks and, linked, into Workbench.Interactive (which must not reference the engine).</summary>
internal static class AssemblyFiles
{
    /// <summary>True when <paramref name="path"/> is a .NET assembly (has metadata with an assembly row); false for native
    /// files, unreadable files and anything that is not a PE image.</summary>
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
