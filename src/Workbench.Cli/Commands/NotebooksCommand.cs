using Workbench.Notebooks;

namespace Workbench.Cli.Commands;

/// <summary><c>workbench notebooks run|verify|lint</c>: execute notebooks headless, check they reproduce, keep them thin.</summary>
public static class NotebooksCommand
{
    public static Command Create() =>
        CliCommand.Group("notebooks", "Run, verify and lint C# Jupyter notebooks with the workbench engine.", RunCommand(), VerifyCommand(), LintCommand());

    static Argument<string[]> PathsArgument() => new("paths")
    {
        Description = "Notebook files, or folders whose *.ipynb files are taken (sorted).",
        Arity = ArgumentArity.OneOrMore,
    };

    static Option<double?> TimeoutOption() => new("--timeout") { Description = "Per-cell time limit in seconds (default: none)." };

    static Command RunCommand()
    {
        var paths = PathsArgument();
        var parameters = new Option<string[]>("--param", "-p")
        {
            Description = "Override a variable of the cell tagged 'parameters': name=value (repeatable).",
            DefaultValueFactory = _ => [],
        };
        var outDir = new Option<string?>("--out") { Description = "Write executed notebooks to this folder (same file names)." };
        var inplace = new Option<bool>("--inplace") { Description = "Overwrite the notebooks with their executed version." };
        var timeout = TimeoutOption();
        var cmd = new Command("run", "Execute notebooks top to bottom (papermill style); the first error stops with exit code 1.");
        cmd.Arguments.Add(paths);
        cmd.Options.Add(parameters);
        cmd.Options.Add(outDir);
        cmd.Options.Add(inplace);
        cmd.Options.Add(timeout);
        cmd.SetAction(async (parse, ct) =>
        {
            var outFolder = parse.GetValue(outDir);
            var overwrite = parse.GetValue(inplace);
            if (outFolder is not null && overwrite) throw new WorkbenchException("give either --out DIR or --inplace, not both.");
            var overrides = ParseParameters(parse.GetValue(parameters) ?? []);
            var options = new NotebookRunOptions(overrides, Seconds(parse.GetValue(timeout)), ExecutorCommand: KernelCommand.ExecutorCommand());
            foreach (var path in ExpandPaths(parse.GetValue(paths)!))
            {
                var notebook = NotebookDocument.Load(path);
                var result = await InNotebookFolder(path, () => NotebookRunner.RunAsync(notebook, options, null, ct));
                var target = overwrite ? path : outFolder is null ? null : Path.Combine(outFolder, Path.GetFileName(path));
                if (target is not null) result.Notebook.Save(target);
                var codeCells = result.Notebook.Cells.Count(c => c.CellType == "code");
                if (!result.Succeeded)
                {
                    PrintFailure(path, result);
                    if (target is not null) Console.Error.WriteLine($"  (executed notebook with the error written to {target})");
                    return 1;
                }
                Console.WriteLine($"{path}: {codeCells} code cells ran in {result.Duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s" + (target is null ? "" : $" -> {target}"));
            }
            return 0;
        });
        return cmd;
    }

    static Command VerifyCommand()
    {
        var paths = PathsArgument();
        var timeout = TimeoutOption();
        var noLint = new Option<bool>("--no-lint") { Description = "Skip the lint rules (types in cells, parameters cell, outputs present)." };
        var cmd = new Command("verify", "Re-execute notebooks and compare outputs with the committed ones (nbval style); exit 1 on any difference.");
        cmd.Arguments.Add(paths);
        cmd.Options.Add(timeout);
        cmd.Options.Add(noLint);
        cmd.SetAction(async (parse, ct) =>
        {
            var failed = false;
            foreach (var path in ExpandPaths(parse.GetValue(paths)!))
            {
                var notebook = NotebookDocument.Load(path);
                if (!parse.GetValue(noLint))
                {
                    var problems = NotebookLinter.Lint(notebook);
                    foreach (var problem in problems) Console.WriteLine(problem);
                    failed |= problems.Count > 0;
                }
                var result = await InNotebookFolder(path, () => NotebookVerifier.VerifyAsync(notebook, new NotebookVerifyOptions(CellTimeout: Seconds(parse.GetValue(timeout)), ExecutorCommand: KernelCommand.ExecutorCommand()), ct));
                foreach (var d in result.Differences)
                {
                    Console.WriteLine($"{path}: cell {d.CellIndex + 1}{(d.CellId is null ? "" : $" (id {d.CellId})")}: {d.Kind} differs:");
                    Console.WriteLine(d.Diff);
                }
                if (result.Run.FailedCellIndex is not null) PrintFailure(path, result.Run);
                failed |= !result.Reproduces;
                Console.WriteLine(result.Reproduces ? $"{path}: outputs reproduce" : $"{path}: {result.Differences.Count} difference(s)");
            }
            return failed ? 1 : 0;
        });
        return cmd;
    }

    static Command LintCommand()
    {
        var paths = PathsArgument();
        var cmd = new Command("lint", "Check notebooks are thin and committed executed: no class/record/struct in cells, a parameters cell, executed code cells.");
        cmd.Arguments.Add(paths);
        cmd.SetAction(parse =>
        {
            var count = 0;
            foreach (var path in ExpandPaths(parse.GetValue(paths)!))
                foreach (var problem in NotebookLinter.Lint(NotebookDocument.Load(path)))
                {
                    Console.WriteLine(problem);
                    count++;
                }
            Console.WriteLine(count == 0 ? "lint: no problems" : $"lint: {count} problem(s)");
            return count == 0 ? 0 : 1;
        });
        return cmd;
    }

    internal static IReadOnlyList<KeyValuePair<string, string>> ParseParameters(IEnumerable<string> values) =>
        values.Select(v =>
        {
            var eq = v.IndexOf('=');
            if (eq <= 0) throw new WorkbenchException($"--param '{v}': expected name=value, e.g. --param seed=7");
            return KeyValuePair.Create(v[..eq].Trim(), v[(eq + 1)..]);
        }).ToList();

    static TimeSpan? Seconds(double? seconds) => seconds switch
    {
        null => null,
        <= 0 => throw new WorkbenchException($"--timeout {seconds}: expected a positive number of seconds."),
        { } s => TimeSpan.FromSeconds(s),
    };

    static IEnumerable<string> ExpandPaths(IEnumerable<string> paths)
    {
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                foreach (var file in Directory.GetFiles(path, "*.ipynb").Order(StringComparer.Ordinal)) yield return file;
            }
            else if (File.Exists(path)) yield return path;
            else throw new WorkbenchException($"notebook not found: {path}");
        }
    }

    /// <summary>Runs with the notebook's folder as current directory, as Jupyter does, so relative data paths work.</summary>
    static async Task<T> InNotebookFolder<T>(string path, Func<Task<T>> action)
    {
        var previous = Environment.CurrentDirectory;
        Environment.CurrentDirectory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        try { return await action(); }
        finally { Environment.CurrentDirectory = previous; }
    }

    static void PrintFailure(string path, NotebookRunResult result)
    {
        var index = result.FailedCellIndex!.Value;
        var cell = result.Notebook.Cells[index];
        Console.Error.WriteLine($"{path}: cell {index + 1}{(cell.Id is null ? "" : $" (id {cell.Id})")} failed:");
        var lines = cell.Source.Split('\n');
        for (var i = 0; i < lines.Length; i++) Console.Error.WriteLine($"  {i + 1,4} | {lines[i].TrimEnd('\r')}");
        if (result.Error is { } error)
            foreach (var line in error.Traceback) Console.Error.WriteLine("  " + line);
    }
}
