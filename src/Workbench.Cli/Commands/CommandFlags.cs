using Workbench.Data;
using Workbench.Domain;

namespace Workbench.Cli.Commands;

/// <summary>
/// The flags that say what a command reads and where it writes (<c>--model</c>, <c>--data</c> with <c>--lenient</c>,
/// <c>--out</c>, <c>--store</c>), declared by a command in one line and read the same way by every command: a dataset
/// loads through <see cref="LoadData"/> (a lenient load prints its reject report), a store opens through
/// <see cref="OpenStore"/>. A flag the command did not ask for is not on its command line.
/// <code>
/// var io = new CommandFlags(model: "Name of a promoted model.", data: "Dataset folder to score.", output: "Output folder.", store: true);
/// return CliCommand.Create("score", "...", io, [asOf], p => BatchScoring.Run(io.Layout(p), io.ModelArgument(p), io.DataDirectory(p), io.OutDirectory(p), ...));
/// </code>
/// </summary>
internal sealed class CommandFlags
{
    /// <summary>A required <c>--model</c> (a folder, file or promoted name, as its description says).</summary>
    public Option<string>? Model { get; }
    /// <summary>The required <c>--data</c> folder.</summary>
    public Option<string>? Data { get; }
    /// <summary>The required <c>--out</c> folder.</summary>
    public Option<string>? Out { get; }
    /// <summary><c>--store</c>: the run store folder (default from the environment, see <see cref="StoreLayout.Default"/>).</summary>
    public Option<string>? Store { get; }
    /// <summary><c>--lenient</c>: load good rows of <c>--data</c>, report the rejected ones.</summary>
    public Option<bool>? Lenient { get; }

    /// <param name="model">Description of a required <c>--model</c>; null: the command takes none.</param>
    /// <param name="data">Description of a required <c>--data</c> folder; null: the command takes none.</param>
    /// <param name="output">Description of a required <c>--out</c> folder; null: the command takes none.</param>
    /// <param name="store">The command reads or writes the run store (<c>--store</c>).</param>
    /// <param name="lenient">The command may load <c>--data</c> leniently (<c>--lenient</c>).</param>
    public CommandFlags(string? model = null, string? data = null, string? output = null, bool store = false, bool lenient = false)
    {
        if (model is not null) Model = CliOptions.Model(model);
        if (data is not null) Data = CliOptions.Data(data);
        if (output is not null) Out = CliOptions.Out(output);
        if (store)
            Store = new Option<string>("--store")
            {
                Description = $"Run store folder (default: ${StoreLayout.EnvironmentVariable} or ./{StoreLayout.DefaultRoot}).",
                DefaultValueFactory = _ => StoreLayout.Default().Root,
            };
        if (lenient) Lenient = CliOptions.Lenient();
    }

    /// <summary>The declared flags, in help order.</summary>
    public IEnumerable<Option> Options => new Option?[] { Model, Data, Out, Store, Lenient }.OfType<Option>();

    /// <summary>Adds the declared flags to a command built by hand (one with arguments).</summary>
    public void AddTo(Command command)
    {
        foreach (var o in Options) command.Options.Add(o);
    }

    /// <summary>The <c>--model</c> value.</summary>
    public string ModelArgument(ParseResult p) => p.GetValue(Declared(Model, "--model"))!;

    /// <summary>The <c>--data</c> folder as given.</summary>
    public string DataDirectory(ParseResult p) => p.GetValue(Declared(Data, "--data"))!;

    /// <summary>The <c>--out</c> folder as given.</summary>
    public string OutDirectory(ParseResult p) => p.GetValue(Declared(Out, "--out"))!;

    /// <summary>Loads <c>--data</c>, leniently when the command declared <c>--lenient</c> and it was given.</summary>
    public CrmDataset LoadData(ParseResult p) => DataOptions.LoadDataset(DataDirectory(p), Lenient is { } l && p.GetValue(l));

    /// <summary>The layout of the <c>--store</c> folder.</summary>
    public StoreLayout Layout(ParseResult p) => new(p.GetValue(Declared(Store, "--store"))!);

    /// <summary>Opens the run store at <c>--store</c>.</summary>
    public RunStore OpenStore(ParseResult p) => new(Layout(p));

    static T Declared<T>(T? option, string name) where T : class =>
        option ?? throw new InvalidOperationException($"This command did not declare {name}.");
}
