using System.Collections.Frozen;

namespace Workbench.Data.Tables;

/// <summary>snake_case text for an enum type's values, both ways, without per-call reflection.</summary>
internal sealed class EnumText
{
    static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, EnumText> Cache = new();

    readonly string[] namesByValue;
    readonly FrozenDictionary<string, int> valueByName;
    readonly FrozenDictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> lookup;

    public IReadOnlyList<string> Names { get; }

    EnumText(Type enumType)
    {
        var values = Enum.GetValues(enumType).Cast<object>().Select(Convert.ToInt32).ToArray();
        var names = CrmSchema.EnumNames(enumType);
        if (values.Any(v => v < 0 || v >= 1024)) throw new InvalidOperationException($"Enum {enumType.Name} needs small non-negative values.");
        namesByValue = new string[values.Max() + 1];
        for (int i = 0; i < values.Length; i++) namesByValue[values[i]] = names[i];
        valueByName = names.Select((n, i) => KeyValuePair.Create(n, values[i])).ToFrozenDictionary(StringComparer.Ordinal);
        lookup = valueByName.GetAlternateLookup<ReadOnlySpan<char>>();
        Names = names;
    }

    public static EnumText For(Type enumType) => Cache.GetOrAdd(enumType, t => new EnumText(t));

    public string Name(int value) => (uint)value < (uint)namesByValue.Length && namesByValue[value] is { } n
        ? n : throw new ArgumentOutOfRangeException(nameof(value), value, "Not a defined enum value.");

    public bool TryParse(ReadOnlySpan<char> text, out int value) => lookup.TryGetValue(text, out value);

    public string Expectation => "one of: " + string.Join(", ", Names);
}
