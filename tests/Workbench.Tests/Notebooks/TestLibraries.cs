using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Workbench.Tests.Notebooks;

/// <summary>Small libraries compiled by a test, outside every default reference of a session.</summary>
internal static class TestLibraries
{
    /// <summary>Compiles <paramref name="source"/> into <paramref name="dir"/>/<paramref name="name"/>.dll against the
    /// framework and <paramref name="references"/> (assembly paths); returns the file's path.</summary>
    public static string Compile(string dir, string name, string source, params string[] references)
    {
        var all = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator).Concat(references)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p));
        var compilation = CSharpCompilation.Create(name, [CSharpSyntaxTree.ParseText(source)], all,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var path = Path.Combine(dir, name + ".dll");
        Microsoft.CodeAnalysis.Emit.EmitResult emitted;
        using (var file = File.Create(path)) emitted = compilation.Emit(file);
        Assert.True(emitted.Success, string.Join("; ", emitted.Diagnostics));
        return path;
    }
}
