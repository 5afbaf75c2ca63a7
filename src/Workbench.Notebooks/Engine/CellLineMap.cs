using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Emit;
using Microsoft.CodeAnalysis.Scripting;

namespace Workbench.Notebooks;

/// <summary>
/// The cell and line of a stack frame in cell code, found without emitting a PDB with every cell. Cells are compiled
/// without debug information (emitting the PDB was the largest part of a trivial cell's compile); when a cell throws,
/// the PDB of each submission on the stack is emitted once from that submission's own compilation (the same compilation
/// gives the same IL and metadata tokens whether or not a PDB is written) and the frame's IL offset is looked up in its
/// sequence points, as the runtime does with a PDB beside the assembly. Documents are named after the cells
/// (<c>cell 3</c>, <c>In [7]</c>) because each cell is compiled with its name as file path.
/// </summary>
internal sealed class CellLineMap(Script? last)
{
    readonly Dictionary<string, MetadataReaderProvider?> pdbs = new(StringComparer.Ordinal);
    Dictionary<string, Compilation>? compilations;

    /// <summary>The cell name and 1-based line of <paramref name="method"/> at <paramref name="ilOffset"/>, or null when
    /// the method is not cell code (or has no sequence point there).</summary>
    public (string Document, int Line)? Find(MethodBase method, int ilOffset)
    {
        if (ilOffset < 0) return null;
        var assemblyName = method.Module.Assembly.GetName().Name;
        if (assemblyName is null || Pdb(assemblyName) is not { } provider) return null;
        var reader = provider.GetMetadataReader();
        var handle = MetadataTokens.EntityHandle(method.MetadataToken);
        if (handle.Kind != HandleKind.MethodDefinition) return null;
        var debug = reader.GetMethodDebugInformation(((MethodDefinitionHandle)handle).ToDebugInformationHandle());
        SequencePoint? best = null;
        foreach (var point in debug.GetSequencePoints())
        {
            if (point.Offset > ilOffset) break;
            if (!point.IsHidden) best = point;
        }
        if (best is not { } found) return null;
        return (reader.GetString(reader.GetDocument(found.Document).Name), found.StartLine);
    }

    MetadataReaderProvider? Pdb(string assemblyName)
    {
        if (pdbs.TryGetValue(assemblyName, out var known)) return known;
        compilations ??= Chain(last);
        MetadataReaderProvider? provider = null;
        if (compilations.TryGetValue(assemblyName, out var compilation))
        {
            using var pe = new MemoryStream();
            var pdb = new MemoryStream();
            var emitted = compilation.Emit(pe, pdb, options: new EmitOptions(debugInformationFormat: DebugInformationFormat.PortablePdb));
            if (emitted.Success)
            {
                pdb.Position = 0;
                provider = MetadataReaderProvider.FromPortablePdbStream(pdb);
            }
        }
        pdbs[assemblyName] = provider;
        return provider;
    }

    /// <summary>Every submission of the session so far, by the name of the assembly it was emitted as.</summary>
    static Dictionary<string, Compilation> Chain(Script? script)
    {
        var result = new Dictionary<string, Compilation>(StringComparer.Ordinal);
        for (; script is not null; script = script.Previous)
        {
            var compilation = script.GetCompilation();
            if (compilation.AssemblyName is { } name) result.TryAdd(name, compilation);
        }
        return result;
    }
}
