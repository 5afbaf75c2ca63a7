using Workbench.Analytics;
using Workbench.Data;

namespace Workbench.Cli.Commands;

/// <summary>Factories for the options many commands share (--data, --out, --model, --seed, --lenient, --format, dates and
/// named choices), so a new command declares them in one line each and every command words and defaults them alike.</summary>
internal static class CliOptions
{
    public const string DataDescription = "Dataset folder (canonical tables, optional truth/).";
    public const string LenientDescription = "Load good rows and write rejected ones to DATA/rejects instead of stopping.";

    /// <summary>The required <c>--data</c> folder.</summary>
    public static Option<string> Data(string description = DataDescription) => new("--data") { Description = description, Required = true };

    /// <summary>The required <c>--out</c> folder.</summary>
    public static Option<string> Out(string description = "Output folder.") => new("--out") { Description = description, Required = true };

    /// <summary>A required <c>--model</c> (a folder, file or promoted name, as the description says).</summary>
    public static Option<string> Model(string description) => new("--model") { Description = description, Required = true };

    /// <summary><c>--seed</c>, defaulting to the one library default (<see cref="PipelineOptions.Default"/>).</summary>
    public static Option<int> Seed(string description = "Seed of every random draw.") =>
        new("--seed") { Description = description, DefaultValueFactory = _ => PipelineOptions.Default.Seed };

    /// <summary><c>--lenient</c>: load good rows, report the rejected ones.</summary>
    public static Option<bool> Lenient(string description = LenientDescription) => new("--lenient") { Description = description };

    /// <summary>An optional date option (yyyy-MM-dd), read with <see cref="Date"/>.</summary>
    public static Option<string?> DateOption(string name, string description) => new(name) { Description = description };

    /// <summary>Reads a date option; null when it was not given; a located error when it is not yyyy-MM-dd.</summary>
    public static DateOnly? Date(ParseResult p, Option<string?> option) => DataOptions.ParseDate(option.Name, p.GetValue(option));

    /// <summary><c>--format csv|parquet</c>, read with <see cref="Format"/>.</summary>
    public static Option<string> FormatOption(string description = "csv or parquet.") =>
        new("--format") { Description = description, DefaultValueFactory = _ => "csv" };

    public static readonly IReadOnlyDictionary<string, DataFormat> Formats = Choices(("csv", DataFormat.Csv), ("parquet", DataFormat.Parquet));

    /// <summary>Reads <c>--format</c>.</summary>
    public static DataFormat Format(ParseResult p, Option<string> option) => Choice(option.Name, p.GetValue(option)!, Formats);

    /// <summary>Named choices for <see cref="ChoiceOption"/> and <see cref="Choice"/>, matched case-insensitively, listed in this order.</summary>
    public static IReadOnlyDictionary<string, T> Choices<T>(params (string Name, T Value)[] choices) =>
        choices.ToDictionary(c => c.Name, c => c.Value, StringComparer.OrdinalIgnoreCase);

    /// <summary>An option naming one of <paramref name="choices"/>' keys (case-insensitive).</summary>
    public static Option<string> ChoiceOption<T>(string name, string description, IReadOnlyDictionary<string, T> choices, string defaultValue)
    {
        if (!choices.ContainsKey(defaultValue)) throw new ArgumentException($"'{defaultValue}' is not one of the choices of {name}.", nameof(defaultValue));
        return new Option<string>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
    }

    /// <summary>Maps <paramref name="text"/> through <paramref name="choices"/>, or refuses it naming the option, the value
    /// and every accepted value ("--method: unknown value 'x'; expected kmeans, gmm or dbscan.").</summary>
    public static T Choice<T>(string option, string text, IReadOnlyDictionary<string, T> choices) =>
        choices.TryGetValue(text, out var value) ? value
        : throw new OptionsValidationException($"{option}: unknown value '{text}'; expected {Listing(choices.Keys)}.");

    static string Listing(IEnumerable<string> keys)
    {
        var k = keys.ToArray();
        return k.Length == 1 ? k[0] : string.Join(", ", k[..^1]) + " or " + k[^1];
    }
}

/// <summary>Builds a command from its options and action, and prints the files an action wrote, the same way for every
/// command.</summary>
internal static class CliCommand
{
    /// <summary>A command with <paramref name="options"/> and <paramref name="action"/> (exit code 0 unless it throws).</summary>
    public static Command Create(string name, string description, IEnumerable<Option> options, Action<ParseResult> action)
    {
        var cmd = new Command(name, description);
        foreach (var o in options) cmd.Options.Add(o);
        cmd.SetAction(p => { action(p); return 0; });
        return cmd;
    }

    /// <summary>A command with the common <paramref name="flags"/>, then its own <paramref name="options"/>, and <paramref name="action"/>.</summary>
    public static Command Create(string name, string description, CommandFlags flags, IEnumerable<Option> options, Action<ParseResult> action) =>
        Create(name, description, flags.Options.Concat(options), action);

    /// <summary>A command that only groups <paramref name="subcommands"/> (<c>workbench runs list|show|...</c>).</summary>
    public static Command Group(string name, string description, params Command[] subcommands)
    {
        var cmd = new Command(name, description);
        foreach (var s in subcommands) cmd.Subcommands.Add(s);
        return cmd;
    }

    /// <summary>Prints "  wrote PATH" for every file.</summary>
    public static void Wrote(IEnumerable<string> files)
    {
        foreach (var f in files) Console.WriteLine("  wrote " + f);
    }
}
