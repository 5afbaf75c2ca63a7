using System.Runtime.Loader;
using Microsoft.DotNet.Interactive.Formatting;
using Workbench.Notebooks;

namespace Workbench.Interactive;

/// <summary>Makes .NET Interactive (the <c>.net-csharp</c> kernel, Polyglot Notebooks) show values as the
/// <c>workbench-csharp</c> kernel does: every value's <c>text/plain</c> comes from the engine's own formatter (invariant
/// culture, ISO dates, rounded numbers, sequences as <c>[a, b, ...]</c>, data frames as aligned rows), and the rich types
/// (Workbench results with an HTML rendering in <see cref="DisplayRegistry"/>, Microsoft.Data.Analysis data frames,
/// Plotly.NET charts) also get that formatter's <c>text/html</c> (escaped tables; charts as their static image plus a loader of plotly.js once per
/// kernel). Called by the package's <c>interactive-extensions/dotnet/extension.dib</c>; idempotent.</summary>
public static class WorkbenchFormatters
{
    const string PlainText = "text/plain";
    const string Html = "text/html";
    const string DataFrameType = "Microsoft.Data.Analysis.DataFrame";
    const string GenericChartType = "Plotly.NET.GenericChart";

    static readonly Lock Gate = new();
    static readonly DisplayFormatter Formatter = new(htmlTableRows: 25);
    // text/plain and text/html are asked for separately, one after the other, for each display of a value: the bundle is
    // computed once per display (a chart's image is rendered once) and kept only until each MIME type was served once,
    // so showing a value again, changed (a progress line's Update, a list that grew), renders it anew.
    static WeakReference<object>? lastValue; // weak: the last value shown is not kept alive by this cache
    static IReadOnlyDictionary<string, string>? lastBundle;
    static readonly HashSet<string> LastServed = new(StringComparer.Ordinal);
    static bool registered;

    /// <summary>Registers the formatters with <see cref="Microsoft.DotNet.Interactive.Formatting.Formatter"/>.</summary>
    public static void Register()
    {
        lock (Gate)
        {
            if (registered) return;
            registered = true;
        }
        UnifyFSharpCore();
        ReportingLoad();
        Microsoft.DotNet.Interactive.Formatting.Formatter.SetPreferredMimeTypesFor(typeof(object), PlainText);
        foreach (var type in RichTypes())
            Microsoft.DotNet.Interactive.Formatting.Formatter.SetPreferredMimeTypesFor(type, PlainText, Html);
        Microsoft.DotNet.Interactive.Formatting.Formatter.Register(typeof(object), (value, writer) => writer.Write(Format(value, PlainText) ?? ""), PlainText);
        Microsoft.DotNet.Interactive.Formatting.Formatter.Register<object>((value, context) =>
        {
            if (Format(value, Html) is not { } html) return false;
            context.Writer.Write(html);
            return true;
        }, Html);
    }

    /// <summary>The MIME bundle the workbench-csharp engine makes for <paramref name="value"/> (text/plain always).</summary>
    public static IReadOnlyDictionary<string, string> Bundle(object? value) => Formatter.Format(value);

    /// <summary>One MIME type of <paramref name="value"/>'s bundle; the bundle is reused for the other MIME types of the
    /// same display (the same object, a type not asked for yet).</summary>
    static string? Format(object? value, string mimeType)
    {
        IReadOnlyDictionary<string, string> bundle;
        lock (Gate)
        {
            if (value is null || lastValue is null || !lastValue.TryGetTarget(out var last) || !ReferenceEquals(value, last) || lastBundle is null
                || !LastServed.Add(mimeType))
            {
                lastBundle = Formatter.Format(value);
                lastValue = value is null ? null : new WeakReference<object>(value);
                LastServed.Clear();
                LastServed.Add(mimeType);
            }
            bundle = lastBundle;
        }
        return bundle.TryGetValue(mimeType, out var text) ? text : null;
    }

    /// <summary>Types whose values also go out as HTML: those with a registered rendering, data frames, charts.</summary>
    static IEnumerable<Type> RichTypes()
    {
        foreach (var type in DisplayRegistry.RegisteredTypes) yield return type;
        foreach (var name in new[] { DataFrameType + ", Microsoft.Data.Analysis", GenericChartType + ", Plotly.NET" })
            if (Type.GetType(name, throwOnError: false) is { } t) yield return t;
    }

    /// <summary>.NET Interactive 1.0.712001 runs on its own FSharp.Core (10.0.x, assembly version 10.0.0.0), loaded before
    /// any package; Plotly.NET 6.0.0, Deedle 8.1.0 and so the Workbench assemblies are built against FSharp.Core 10.1
    /// (10.1.0.0), which the runtime will not bind to the older loaded copy ("Could not load file or assembly FSharp.Core,
    /// Version=10.1.0.0"), and a second copy cannot load beside it. The default context's Resolving event is asked
    /// only after binding failed: it answers with the loaded FSharp.Core, as a binding redirect would.</summary>
    static void UnifyFSharpCore() =>
        AssemblyLoadContext.Default.Resolving += (context, name) =>
            name.Name == "FSharp.Core"
                ? AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == "FSharp.Core")
                : null;

    static void ReportingLoad() => Workbench.Reporting.ReportingDisplays.Register();
}
