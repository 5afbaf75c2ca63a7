using System.Collections.Concurrent;
using System.Collections.ObjectModel;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Workbench;

/// <summary>How values are shown outside plain text, registered by the assembly that owns the formatting (Reporting
/// registers its renderings of Analytics results) and consulted by whoever displays values (the notebook engine). Core
/// holds only the registry: it formats nothing itself, so the result types stay free of any presentation.</summary>
public static class DisplayRegistry
{
    static readonly ConcurrentDictionary<(Type Type, string MimeType), Func<object, string>> Formatters = new();
    static readonly ConcurrentDictionary<Assembly, bool> Visited = new();
    // Per value type, its renderings (nearest type first, one per MIME type) as of registration version Version: a
    // display looks there instead of walking the chain (an int has some thirty interfaces) against every registration.
    static readonly ConcurrentDictionary<Type, (int Version, (string MimeType, Func<object, string> Format)[] Renderings)> RenderingsByType = new();
    static int version;

    /// <summary>Registers <paramref name="format"/> as the <paramref name="mimeType"/> rendering of <typeparamref name="T"/>
    /// (and of types derived from it); a later registration for the same type and MIME type replaces the earlier one.</summary>
    public static void Register<T>(string mimeType, Func<T, string> format)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(mimeType);
        ArgumentNullException.ThrowIfNull(format);
        Formatters[(typeof(T), mimeType)] = value => format((T)value);
        Interlocked.Increment(ref version);
    }

    /// <summary>The types that have at least one registered rendering (after the registrations run so far), in name order.</summary>
    public static IReadOnlyList<Type> RegisteredTypes =>
        Formatters.Keys.Select(k => k.Type).Distinct().OrderBy(t => t.FullName, StringComparer.Ordinal).ToList();

    /// <summary>Every registered rendering of <paramref name="value"/> by MIME type: the one registered for the nearest
    /// type (the value's own type, then its base types, then its interfaces).</summary>
    public static IReadOnlyDictionary<string, string> Format(object value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var valueType = value.GetType();
        EnsureRegistrations(valueType.Assembly);
        var current = Volatile.Read(ref version); // read before the renderings are found: a registration meanwhile redoes it
        if (!RenderingsByType.TryGetValue(valueType, out var cached) || cached.Version != current)
        {
            var nearest = new Dictionary<string, Func<object, string>>(StringComparer.Ordinal);
            foreach (var type in TypeChain(valueType))
                foreach (var ((registered, mime), format) in Formatters)
                    if (registered == type) nearest.TryAdd(mime, format);
            cached = (current, nearest.Select(p => (p.Key, p.Value)).ToArray());
            RenderingsByType[valueType] = cached;
        }
        if (cached.Renderings.Length == 0) return ReadOnlyDictionary<string, string>.Empty;
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (mime, format) in cached.Renderings) result[mime] = format(value);
        return result;
    }

    static readonly ConcurrentQueue<Assembly> LoadedSinceLastLook = new();
    static readonly Lazy<bool> WatchingLoads = new(() =>
    {
        AppDomain.CurrentDomain.AssemblyLoad += (_, e) => LoadedSinceLastLook.Enqueue(e.LoadedAssembly);
        foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies()) EnsureRegistrations(assembly);
        return true;
    });

    /// <summary>Runs the registrations of every assembly loaded in this process: all of them on the first call, then only
    /// those loaded since the last call. (A notebook session loads an assembly per cell; scanning them all on each
    /// display made a display cost more the longer the session ran.)</summary>
    public static void EnsureRegistrationsOfLoadedAssemblies()
    {
        _ = WatchingLoads.Value;
        while (LoadedSinceLastLook.TryDequeue(out var assembly)) EnsureRegistrations(assembly);
    }

    /// <summary>Runs the registrations the assembly declares with <see cref="DisplayRegistrationsAttribute"/> (once per
    /// assembly), loading nothing else.</summary>
    public static void EnsureRegistrations(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        if (!Visited.TryAdd(assembly, true)) return;
        foreach (var attribute in assembly.GetCustomAttributes<DisplayRegistrationsAttribute>())
            RuntimeHelpers.RunClassConstructor(attribute.Registrar.TypeHandle);
    }

    static IEnumerable<Type> TypeChain(Type type)
    {
        for (var t = type; t is not null; t = t.BaseType) yield return t;
        foreach (var i in type.GetInterfaces()) yield return i;
    }
}

/// <summary>Names the type whose static constructor registers an assembly's display formatters with
/// <see cref="DisplayRegistry"/>; the displaying side runs it through <see cref="DisplayRegistry.EnsureRegistrations"/>.</summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
public sealed class DisplayRegistrationsAttribute(Type registrar) : Attribute
{
    /// <summary>The type whose static constructor registers the formatters.</summary>
    public Type Registrar { get; } = registrar;
}
