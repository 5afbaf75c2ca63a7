using System.Collections.Concurrent;
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

    /// <summary>Registers <paramref name="format"/> as the <paramref name="mimeType"/> rendering of <typeparamref name="T"/>
    /// (and of types derived from it); a later registration for the same type and MIME type replaces the earlier one.</summary>
    public static void Register<T>(string mimeType, Func<T, string> format)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(mimeType);
        ArgumentNullException.ThrowIfNull(format);
        Formatters[(typeof(T), mimeType)] = value => format((T)value);
    }

    /// <summary>The types that have at least one registered rendering (after the registrations run so far), in name order.</summary>
    public static IReadOnlyList<Type> RegisteredTypes =>
        Formatters.Keys.Select(k => k.Type).Distinct().OrderBy(t => t.FullName, StringComparer.Ordinal).ToList();

    /// <summary>Every registered rendering of <paramref name="value"/> by MIME type: the one registered for the nearest
    /// type (the value's own type, then its base types, then its interfaces).</summary>
    public static IReadOnlyDictionary<string, string> Format(object value)
    {
        ArgumentNullException.ThrowIfNull(value);
        EnsureRegistrations(value.GetType().Assembly);
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var type in TypeChain(value.GetType()))
            foreach (var ((registered, mime), format) in Formatters)
                if (registered == type && !result.ContainsKey(mime)) result[mime] = format(value);
        return result;
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
