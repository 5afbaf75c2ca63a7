using System.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Scripting;

namespace Workbench.Notebooks;

/// <summary>Options of a notebook session, validated when the session is created.</summary>
/// <param name="CellTimeout">Stop a cell that runs longer (null: no limit).</param>
/// <param name="InterruptGrace">How long an interrupted cell may take to stop by itself before its thread is
/// abandoned (the session stays usable, with the state from before that cell).</param>
/// <param name="HtmlTableRows">Rows shown in the HTML view of a data frame.</param>
/// <param name="WorkingDirectory">Base folder for relative <c>#r "file.dll"</c> paths (default: current directory).</param>
/// <param name="NuGetPackagesRoot">NuGet package folder for <c>#r "nuget: ..."</c> (default: NUGET_PACKAGES or ~/.nuget/packages).</param>
public sealed record NotebookSessionOptions(
    TimeSpan? CellTimeout = null,
    TimeSpan? InterruptGrace = null,
    int HtmlTableRows = 25,
    string? WorkingDirectory = null,
    string? NuGetPackagesRoot = null)
{
    internal TimeSpan Grace => InterruptGrace ?? TimeSpan.FromSeconds(3);

    internal void Validate()
    {
        if (CellTimeout is { } t && t <= TimeSpan.Zero) throw new OptionsValidationException($"CellTimeout must be positive, got {t}.");
        if (InterruptGrace is { } g && g < TimeSpan.Zero) throw new OptionsValidationException($"InterruptGrace must not be negative, got {g}.");
        if (HtmlTableRows < 1) throw new OptionsValidationException($"HtmlTableRows must be at least 1, got {HtmlTableRows}.");
    }
}

/// <summary>Per-cell options: a name used in error locations ("cell 3"), a timeout overriding the session's,
/// and a callback that receives outputs while the cell runs (the kernel streams them to the client).</summary>
/// <param name="CellName">The name used in error locations ("cell 3").</param>
/// <param name="Timeout">Overrides the session's cell timeout.</param>
/// <param name="OnOutput">Receives outputs while the cell runs.</param>
/// <param name="OnInput">Answers Console.ReadLine in the cell (the kernel asks the client with an input_request); null
/// gives the cell an empty stdin (ReadLine returns null).</param>
public sealed record CellRunOptions(string? CellName = null, TimeSpan? Timeout = null, Action<CellOutput>? OnOutput = null,
    Func<InputRequest, string?>? OnInput = null);

/// <summary>A C# scripting session: cells run in order and share state (variables, usings, references), as in a
/// notebook. One cell runs at a time, on a cell thread apart from the caller's so an interrupt or a timeout can always
/// return control. Thread-safe: concurrent calls wait their turn.</summary>
/// <example><code>
/// using var session = NotebookSession.Create();
/// await session.ExecuteAsync("var x = 40;");
/// var result = await session.ExecuteAsync("x + 2"); // result.ReturnValue == 42
/// </code></example>
public sealed class NotebookSession : ICellSession
{
    static readonly CSharpParseOptions ScriptParseOptions = new(LanguageVersion.Latest, kind: SourceCodeKind.Script);

    readonly NotebookSessionOptions options;
    readonly DisplayFormatter formatter;
    readonly NotebookGlobals globals = new();
    readonly SemaphoreSlim gate = new(1, 1);
    readonly NuGetCache nuget;
    ScriptOptions scriptOptions; // every reference so far: the options of a first submission
    // #r references not yet part of a submission that became the state. A continuation is given only these: it inherits
    // its predecessors' references, and passing all of them again made Roslyn merge 250 more per cell (a cell's cost
    // grew with the number of cells before it, and each one filled the large object heap, forcing full GCs).
    List<MetadataReference> unsubmittedReferences = [];
    ScriptState<object>? state;
    CancellationTokenSource? running;
    volatile Script? latestScript; // the submission running or last run (a thread it started may throw while it runs)
    CellThread? cellThread; // runs the cells; replaced after a cell was interrupted or abandoned
    // The next continuation's compilation, references bound ahead of the cell (read and written on the cell thread only).
    volatile PreparedSubmission? nextSubmission;
    int cellsRun;

    /// <summary>Cells compiled from a prepared compilation (<see cref="PreparedSubmission"/>); tests check the path is taken.</summary>
    internal int PreparedSubmissionsUsed { get; private set; }

    /// <summary>Cells given the previous cell's well-known types (<see cref="WellKnownTypes"/>); tests check the path is taken.</summary>
    internal int WellKnownTypesCarried { get; private set; }

    NotebookSession(NotebookSessionOptions options)
    {
        this.options = options;
        formatter = new DisplayFormatter(options.HtmlTableRows);
        nuget = new NuGetCache(options.NuGetPackagesRoot);
        foreach (var feed in NuGetCache.ConfiguredLocalFeeds()) nuget.AddFeed(feed);
        scriptOptions = ScriptOptions.Default
            .WithReferences(SessionReferences.References)
            .WithImports(SessionReferences.Imports)
            .WithLanguageVersion(LanguageVersion.Latest)
            // No PDB per cell: tracebacks find cell lines through CellLineMap, which emits a PDB only when a cell throws.
            // WORKBENCH_CELL_PDB=1 emits one with every cell (a debugger attached to the kernel can then step through cells).
            .WithEmitDebugInformation(Environment.GetEnvironmentVariable("WORKBENCH_CELL_PDB") == "1")
            .WithFileEncoding(Encoding.UTF8)
            .WithOptimizationLevel(OptimizationLevel.Debug)
            .WithAllowUnsafe(false);
        ConsoleRouter.EnsureInstalled();
    }

    /// <summary>A new session with default options.</summary>
    public static NotebookSession Create() => Create(new NotebookSessionOptions());

    /// <summary>A new session; options are validated first.</summary>
    public static NotebookSession Create(NotebookSessionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return new NotebookSession(options);
    }

    /// <summary>The namespaces imported into every cell.</summary>
    public static IReadOnlyList<string> DefaultImports => SessionReferences.Imports;

    /// <summary>Runs one cell with the session's options.</summary>
    public Task<CellResult> ExecuteAsync(string code, CancellationToken cancellationToken = default) =>
        ExecuteAsync(code, new CellRunOptions(), cancellationToken);

    /// <summary>Runs one cell. Never throws for errors in the cell: they come back as an <see cref="ErrorOutput"/>
    /// with <see cref="CellStatus.Error"/>, <see cref="CellStatus.Interrupted"/> or <see cref="CellStatus.TimedOut"/>.</summary>
    public Task<CellResult> ExecuteAsync(string code, CellRunOptions run, CancellationToken cancellationToken = default) =>
        ExecuteCore(code, run, synchronous: false, cancellationToken);

    /// <inheritdoc/>
    public CellResult Execute(string code, CellRunOptions run) => ExecuteCore(code, run, synchronous: true, default).GetAwaiter().GetResult();

    /// <summary>One cell. <paramref name="synchronous"/>: every wait blocks the calling thread before its <c>await</c>
    /// (which then finds the task done and goes on on this thread), so the whole call runs on the caller's thread.</summary>
    async Task<CellResult> ExecuteCore(string code, CellRunOptions run, bool synchronous, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(code);
        ArgumentNullException.ThrowIfNull(run);
        KernelTimings.Mark("s.enter");
        if (synchronous) gate.Wait(cancellationToken);
        else await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        var cellName = run.CellName ?? "cell " + (cellsRun + 1).ToString(CultureInfo.InvariantCulture);
        var stopwatch = Stopwatch.StartNew();
        var context = new CellContext(formatter, run.OnOutput, run.OnInput);
        var timeout = run.Timeout ?? options.CellTimeout;
        // The timeout has its own source so that "timed out" is told from "interrupted" by what fired, not by the clock
        // (a timer may fire a fraction of a millisecond before a stopwatch reaches the limit).
        using var timeoutCts = new CancellationTokenSource();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutCts.Token);
        try
        {
            cellsRun++;
            running = cts;
            if (timeout is { } limit) timeoutCts.CancelAfter(limit);
            var outcome = await RunOnCellThread(code, cellName, context, synchronous, cts.Token).ConfigureAwait(false);
            KernelTimings.Mark("s.resumed");
            if (outcome.NewState is not null && !ReferenceEquals(outcome.NewState, state))
            {
                state = outcome.NewState; // a new submission: it holds the references added since the last one
                unsubmittedReferences = [];
            }
            var status = outcome.Status;
            if (status == CellStatus.Interrupted && !cancellationToken.IsCancellationRequested && timeoutCts.IsCancellationRequested)
                status = CellStatus.TimedOut;
            if (status != CellStatus.Ok)
                context.Add(ErrorFor(status, outcome.Exception, cellName, timeout));
            else if (outcome.HasTrailingExpression && outcome.ReturnValue is { } value and not DisplayHandle and not ProgressDisplay)
            {
                try { context.Add(new DisplayOutput(formatter.Format(value), IsResult: true)); }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // A broken ToString/ToHtml of the result is the cell's error, not the engine's.
                    status = CellStatus.Error;
                    var cause = ex is System.Reflection.TargetInvocationException { InnerException: { } inner } ? inner : ex;
                    context.Add(new ErrorOutput(cause.GetType().FullName ?? "Error", $"formatting the result of {cellName} failed: {cause.Message}",
                        [$"{cause.GetType().FullName}: formatting the result of {cellName} failed: {cause.Message}"]));
                }
            }
            var closed = context.Close();
            KernelTimings.Mark("s.formatted");
            if (status != CellStatus.Interrupted && status != CellStatus.TimedOut) PrepareNextSubmission();
            return new CellResult(status, closed, stopwatch.Elapsed, status == CellStatus.Ok ? outcome.ReturnValue : null);
        }
        finally
        {
            running = null;
            gate.Release();
        }
    }

    /// <summary>Completion candidates at <paramref name="cursor"/> (see <see cref="CodeAssistance.Complete"/>).</summary>
    public CompletionResult Complete(string code, int cursor) => CodeAssistance.Complete(this, code, cursor);

    /// <summary>What the symbol at <paramref name="cursor"/> is (see <see cref="CodeAssistance.Inspect"/>).</summary>
    public InspectionResult Inspect(string code, int cursor) => CodeAssistance.Inspect(this, code, cursor);

    /// <summary>Interrupts the running cell, if any (from any thread; the kernel calls it on SIGINT).</summary>
    public void Interrupt()
    {
        try { running?.Cancel(); }
        catch (ObjectDisposedException) { } // the cell finished meanwhile
    }

    sealed record Outcome(CellStatus Status, ScriptState<object>? NewState, Exception? Exception, bool HasTrailingExpression)
    {
        public object? ReturnValue => NewState?.ReturnValue;
    }

    async Task<Outcome> RunOnCellThread(string code, string cellName, CellContext context, bool synchronous, CancellationToken token)
    {
        // Woken by the cell thread itself (the task's wait handle is set as it completes), without spinning first.
        void Block(Task a, Task b)
        {
            if (synchronous) QuietWait.ForAny(a, b);
        }

        var done = new TaskCompletionSource<Outcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = cellThread ??= new CellThread();
        thread.Run(() =>
        {
            KernelTimings.Mark("s.thread");
            ConsoleRouter.EnsureInstalled(); // cheap when nothing changed; puts the input router back if Console.In was replaced
            CellContext.Current = context;
            CellInterrupt.Token = token;
            try { done.TrySetResult(RunSubmission(code, cellName, token)); }
            catch (OperationCanceledException ex) when (token.IsCancellationRequested) { done.TrySetResult(new Outcome(CellStatus.Interrupted, null, ex, false)); }
            catch (ThreadInterruptedException ex) { done.TrySetResult(new Outcome(CellStatus.Interrupted, null, ex, false)); }
            catch (Exception ex) { done.TrySetResult(new Outcome(CellStatus.Error, null, ex, false)); }
            finally
            {
                CellContext.Current = null;
                KernelTimings.Mark("s.thread-end");
            }
        });

        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var registration = token.Register(() => cancelled.TrySetResult());
        Block(done.Task, cancelled.Task);
        if (await Task.WhenAny(done.Task, cancelled.Task).ConfigureAwait(false) == done.Task) return await done.Task.ConfigureAwait(false);

        // Cancelled: loops stop at their injected check; blocking waits (Sleep, Wait) need Thread.Interrupt. A thread that
        // was interrupted or abandoned runs no later cell: an interrupt that lands after its cell ended would otherwise
        // hit the next cell.
        cellThread = null;
        thread.Retire();
        var half = options.Grace / 2;
        var wait = Task.Delay(half);
        Block(done.Task, wait);
        if (await Task.WhenAny(done.Task, wait).ConfigureAwait(false) == done.Task) return await done.Task.ConfigureAwait(false);
        thread.Interrupt();
        wait = Task.Delay(half);
        Block(done.Task, wait);
        if (await Task.WhenAny(done.Task, wait).ConfigureAwait(false) == done.Task) return await done.Task.ConfigureAwait(false);
        // Give up on the thread (it runs code with no loop and no wait, e.g. a long library call): the session keeps
        // the state from before this cell, and the cell's late output is dropped.
        return new Outcome(CellStatus.Interrupted, null, new CellAbandonedException(), false);
    }

    Outcome RunSubmission(string code, string cellName, CancellationToken token)
    {
        var (unmagicked, magics) = Magics.Extract(code, cellName);
        if (!magics.Any) return RunCode(unmagicked, cellName, token);
        if (magics.LsMagic) Console.Out.Write(Magics.Listing);
        var process = Process.GetCurrentProcess();
        var (user, sys) = (process.UserProcessorTime, process.PrivilegedProcessorTime);
        var wall = Stopwatch.StartNew();
        var outcome = RunCode(unmagicked, cellName, token);
        if (magics.Time)
        {
            wall.Stop();
            process.Refresh();
            Console.Out.Write(Magics.TimeReport(process.UserProcessorTime - user, process.PrivilegedProcessorTime - sys, wall.Elapsed));
        }
        if (magics.Whos && outcome.NewState is { } s)
            Console.Out.Write(Magics.Whos(s.Variables.Select(v => (v.Name, v.Type, (object?)v.Value))));
        return outcome;
    }

    Outcome RunCode(string code, string cellName, CancellationToken token)
    {
        var (stripped, directives) = ReferenceDirectives.Extract(code);
        if (directives.Count > 0)
        {
            List<MetadataReference> newReferences;
            try { newReferences = directives.SelectMany(d => ResolveDirective(d, cellName)).ToList(); }
            catch (WorkbenchException ex) when (ex is not ReferenceNotFoundException and not ReferenceResolutionException)
            {
                throw new ReferenceResolutionException(ex.Message, ex); // a #r that cannot be resolved: a reference error
            }
            scriptOptions = scriptOptions.AddReferences(newReferences);
            unsubmittedReferences = [.. unsubmittedReferences, .. newReferences];
        }
        var cellOptions = NextSubmissionOptions().WithFilePath(cellName);
        var prepared = LoopCheckInjector.Inject(stripped, ScriptParseOptions);
        var hasTrailingExpression = HasTrailingExpression(stripped);
        if (string.IsNullOrWhiteSpace(stripped))
            return new Outcome(CellStatus.Ok, state, null, false);
        KernelTimings.Mark("s.prepared");

        ScriptState<object> next;
        if (state is null)
        {
            var script = CSharpScript.Create(prepared, cellOptions, typeof(NotebookGlobals));
            latestScript = script;
            SerialSubmissionBuild.Apply(script);
            TimeCompile(script);
            next = script.RunAsync(globals, _ => true, token).GetAwaiter().GetResult();
        }
        else
        {
            var script = state.Script.ContinueWith<object>(prepared, cellOptions);
            latestScript = script;
            var ready = nextSubmission;
            nextSubmission = null; // each prepared compilation is used once (its assembly name is loaded with it)
            if (ready is not null && ready.TryApply(script, state.Script, scriptOptions, unsubmittedReferences))
            {
                PreparedSubmissionsUsed++;
                if (ready.WellKnownTypesCarried) WellKnownTypesCarried++;
            }
            else SerialSubmissionBuild.Apply(script);
            TimeCompile(script);
            next = script.RunFromAsync(state, _ => true, token).GetAwaiter().GetResult();
        }
        KernelTimings.Mark("s.ran");
        if (next.Exception is { } thrown)
        {
            var status = token.IsCancellationRequested && thrown is OperationCanceledException or ThreadInterruptedException ? CellStatus.Interrupted : CellStatus.Error;
            // Roslyn keeps the partial state: variables set before the exception remain, as in other kernels.
            return new Outcome(status, next, thrown, false);
        }
        return new Outcome(CellStatus.Ok, next, null, hasTrailingExpression);
    }

    /// <summary>Binds the next continuation's references ahead of its code (see <see cref="PreparedSubmission"/>) on the
    /// cell thread, which would idle until the next cell: queued as the cell's result is handed back, so it runs while
    /// the reply travels (and the next cell, queued behind it, finds it done).</summary>
    void PrepareNextSubmission()
    {
        if (!PreparedSubmission.Enabled || state is not { } previous) return;
        var (options, pending) = (scriptOptions, unsubmittedReferences); // the next cell's, as of now (under the gate)
        var thread = cellThread ??= new CellThread();
        try { thread.Run(Prepare); }
        catch (InvalidOperationException) { } // the session was disposed meanwhile (its thread retired)

        void Prepare()
        {
            KernelTimings.Mark("s.prepare");
            try { nextSubmission = PreparedSubmission.Prepare(previous.Script, options, pending); }
            catch (Exception ex) when (ex is not OutOfMemoryException) { nextSubmission = null; } // the next cell compiles as before
            KernelTimings.Mark("s.prepare-end");
        }
    }

    /// <summary>With WORKBENCH_KERNEL_TIMINGS set, compiles, emits and loads the submission ahead of the run (Roslyn caches
    /// the result, so the run does not repeat it) to time compiling apart from running.</summary>
    static void TimeCompile(Script script)
    {
        if (!KernelTimings.Enabled) return;
        // Each step below is work the compile does anyway, and Roslyn keeps its result (the syntax tree, the declared
        // symbols), so the marks split the compile without adding to it: parse (syntax tree and compilation), declare
        // (symbols and declaration diagnostics), bind + emit + load (the submission assembly loaded: s.loaded, from the
        // AssemblyLoad event), then the entry point's delegate.
        var compilation = script.GetCompilation();
        compilation.SyntaxTrees.Last().GetRoot();
        KernelTimings.Mark("s.parsed");
        compilation.GetDeclarationDiagnostics();
        KernelTimings.Mark("s.declared");
        script.Compile();
        KernelTimings.Mark("s.compiled");
    }

    IEnumerable<MetadataReference> ResolveDirective(ReferenceDirective directive, string cellName)
    {
        if (directive.IsSource)
        {
            // #i "nuget: DIR": a local feed folder, relative to the notebook's folder (or absolute, or a file: URI).
            var source = directive.IsNuGet ? directive.Value["nuget:".Length..].Trim() : "";
            try
            {
                if (source.Length == 0) throw new WorkbenchException($"#i \"{directive.Value}\": expected #i \"nuget: FOLDER\" (a local package feed).");
                nuget.AddFeed(source.Contains("://", StringComparison.Ordinal) ? source : Path.GetFullPath(source, options.WorkingDirectory ?? Environment.CurrentDirectory));
            }
            catch (WorkbenchException ex) { throw new WorkbenchException($"{cellName}, line {directive.Line}: {ex.Message}"); }
            return [];
        }
        if (directive.IsNuGet)
        {
            var (id, version) = ReferenceDirectives.ParseNuGet(directive.Value);
            // The kernel's own assemblies (the Workbench library and everything it ships with) satisfy a package of the
            // same name: this engine is built from those sources and cannot load a second copy of an assembly. The
            // Workbench.Interactive package is .NET Interactive's extension reproducing this engine's display.
            if (SessionReferences.IsBuiltIn(id) || string.Equals(id, "Workbench.Interactive", StringComparison.OrdinalIgnoreCase)) return [];
            try { return nuget.Resolve(id, version).Select(SessionReferences.CreateReference).ToList(); }
            catch (WorkbenchException ex) { throw new WorkbenchException($"{cellName}, line {directive.Line}: {ex.Message}"); }
        }
        var path = Path.GetFullPath(directive.Value, options.WorkingDirectory ?? Environment.CurrentDirectory);
        if (!File.Exists(path))
        {
            var folder = Path.GetDirectoryName(path);
            var why = Directory.Exists(path) ? $"{path} is a folder; #r needs an assembly file (.dll) in it"
                : folder is not null && !Directory.Exists(folder) ? $"the folder {folder} does not exist (is the project built?)"
                : $"file not found: {path}";
            throw new ReferenceNotFoundException($"{cellName}, line {directive.Line}: #r \"{directive.Value}\": {why}");
        }
        return [SessionReferences.CreateReference(path)];
    }

    /// <summary>True when the cell ends with an expression without a semicolon, whose value becomes the result.</summary>
    static bool HasTrailingExpression(string code)
    {
        var root = CSharpSyntaxTree.ParseText(code, ScriptParseOptions).GetCompilationUnitRoot();
        return root.Members.LastOrDefault() is GlobalStatementSyntax { Statement: ExpressionStatementSyntax { SemicolonToken.IsMissing: true } };
    }

    ErrorOutput ErrorFor(CellStatus status, Exception? exception, string cellName, TimeSpan? timeout) => status switch
    {
        CellStatus.TimedOut => new ErrorOutput("TimeoutError",
            $"{cellName} ran longer than the {timeout!.Value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s timeout and was stopped",
            [$"TimeoutError: {cellName} ran longer than the timeout and was stopped"]),
        CellStatus.Interrupted => new ErrorOutput("Interrupted", $"{cellName} was interrupted",
            [$"Interrupted: {cellName} was interrupted" + (exception is CellAbandonedException ? " (its thread did not stop and was abandoned)" : "")]),
        _ => exception switch
        {
            CompilationErrorException compile => CompileError(compile, cellName),
            UnknownMagicException magic => new ErrorOutput("UsageError", magic.Message, ["UsageError: " + magic.Message]),
            ReferenceNotFoundException missing => new ErrorOutput("ReferenceNotFound", missing.Message, ["ReferenceNotFound: " + missing.Message]),
            ReferenceResolutionException bad => new ErrorOutput("ReferenceError", bad.Message, ["ReferenceError: " + bad.Message]),
            { } ex => RuntimeError(ex, CellLines()),
            null => new ErrorOutput("Error", "unknown error", ["Error: unknown error"]),
        },
    };

    static ErrorOutput CompileError(CompilationErrorException compile, string cellName)
    {
        var lines = compile.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d =>
        {
            var span = d.Location.GetLineSpan();
            return $"{cellName}, line {span.StartLinePosition.Line + 1}, column {span.StartLinePosition.Character + 1}: error {d.Id}: {d.GetMessage(CultureInfo.InvariantCulture)}";
        }).ToList();
        return new ErrorOutput("CompilationError", lines.FirstOrDefault() ?? compile.Message, lines);
    }

    /// <summary>The exception with its stack reduced to what a notebook reader needs: library frames by method
    /// name, cell frames by cell name and the cell's own line number.</summary>
    static ErrorOutput RuntimeError(Exception ex, CellLineMap cellLines)
    {
        var traceback = new List<string> { $"{ex.GetType().FullName}: {ex.Message}" };
        foreach (var frame in new StackTrace(ex, fNeedFileInfo: false).GetFrames())
        {
            var method = frame.GetMethod();
            if (method is not null && cellLines.Find(method, frame.GetILOffset()) is { } at)
                traceback.Add($"   at {at.Document}, line {at.Line}");
            else if (method?.DeclaringType is { } type && !(type.FullName ?? "").StartsWith("Submission#", StringComparison.Ordinal)
                     && !(type.Namespace ?? "").StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal)
                     && !(type.Namespace ?? "").StartsWith("System.Runtime.CompilerServices", StringComparison.Ordinal)
                     && !(type.Namespace ?? "").StartsWith("System.Runtime.ExceptionServices", StringComparison.Ordinal))
                traceback.Add($"   at {type.FullName}.{method.Name}");
        }
        if (ex.InnerException is { } inner) traceback.Add($" ---> {inner.GetType().FullName}: {inner.Message}");
        return new ErrorOutput(ex.GetType().FullName ?? ex.GetType().Name, ex.Message, traceback);
    }

    // ---- code assistance (kernel complete/inspect) ----

    /// <summary>Where the cells on a stack are: every submission up to the one running or last run.</summary>
    CellLineMap CellLines() => new(latestScript ?? state?.Script);

    /// <summary>The exception as .NET prints it (type, message, one <c>at</c> line per frame), with cell frames located as
    /// <c>in cell 5:line 2</c>: for an exception on a thread a cell started, which no cell's error output reports.</summary>
    public string StackTraceText(Exception ex)
    {
        ArgumentNullException.ThrowIfNull(ex);
        var lines = CellLines();
        var text = new StringBuilder($"{ex.GetType().FullName}: {ex.Message}");
        foreach (var frame in new StackTrace(ex, fNeedFileInfo: false).GetFrames())
        {
            if (frame.GetMethod() is not { } method) continue;
            text.Append("\n   at ").Append(method.DeclaringType?.FullName).Append('.').Append(method.Name).Append("()");
            if (lines.Find(method, frame.GetILOffset()) is { } at)
                text.Append(" in ").Append(at.Document).Append(":line ").Append(at.Line.ToString(CultureInfo.InvariantCulture));
        }
        return text.ToString();
    }

    /// <summary>The options of the next submission: every reference for the first one, only those added since the last
    /// submission for a continuation (it inherits the rest).</summary>
    ScriptOptions NextSubmissionOptions() => state is null ? scriptOptions : scriptOptions.WithReferences(unsubmittedReferences);

    /// <summary>A compilation of <paramref name="code"/> as the next cell, with its semantic model, without running it.</summary>
    internal (SemanticModel Model, SyntaxTree Tree) Analyze(string code)
    {
        var (stripped, _) = ReferenceDirectives.Extract(Magics.Strip(code));
        var script = state is null
            ? CSharpScript.Create(stripped, scriptOptions, typeof(NotebookGlobals))
            : state.Script.ContinueWith(stripped, NextSubmissionOptions());
        var compilation = script.GetCompilation();
        var tree = compilation.SyntaxTrees.Last();
        return (compilation.GetSemanticModel(tree), tree);
    }

    /// <summary>True when <paramref name="code"/> is a complete submission (the kernel's is_complete).</summary>
    public static bool IsCompleteSubmission(string code) =>
        SyntaxFactory.IsCompleteSubmission(CSharpSyntaxTree.ParseText(ReferenceDirectives.Extract(Magics.Strip(code)).Code, ScriptParseOptions));

    /// <summary>Stops the running cell.</summary>
    public void Dispose()
    {
        Interrupt();
        cellThread?.Retire();
        cellThread = null; // a cell run after Dispose gets a thread of its own, as before
    }
}

/// <summary>Compiles a submission on the cell's thread alone. Roslyn scripting gives every submission a compilation with
/// <c>concurrentBuild: true</c> and no option to change it, so declaring and emitting even <c>1 + 1</c> hands work to
/// thread-pool tasks and waits for them: about 1 ms of CPU per cell more than compiling it on the calling thread (bench/README.md,
/// "Kernel round trip: the 5 ms target"). Apply replaces the compilation the script caches (its private field
/// <c>_lazyCompilation</c>, Microsoft.CodeAnalysis.Scripting 5.0.0) by the same compilation with
/// <c>concurrentBuild: false</c> before anything compiled it; the code, references, imports and the chain of submissions
/// are unchanged. If a Roslyn update renames the field, cells compile as before (concurrently) and
/// <see cref="Available"/>, which a test checks, turns false.</summary>
internal static class SerialSubmissionBuild
{
    static readonly System.Reflection.FieldInfo? CachedCompilation =
        typeof(Script).GetField("_lazyCompilation", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic);

    /// <summary>True when the script's cached compilation can be replaced (the field exists with the expected type).</summary>
    public static bool Available => CachedCompilation?.FieldType == typeof(Compilation);

    /// <summary>Makes <paramref name="script"/> compile without concurrency; call before it is compiled or run.</summary>
    public static void Apply(Script script)
    {
        if (!Available) return;
        var compilation = script.GetCompilation();
        if (compilation.Options.ConcurrentBuild)
            CachedCompilation!.SetValue(script, compilation.WithOptions(compilation.Options.WithConcurrentBuild(false)));
    }
}

/// <summary>The thread cells run on, kept from one cell to the next: a new thread per cell cost about 2 ms of CPU per
/// cell (bench/README.md, "Kernel round trip: the 5 ms target"). Each cell
/// runs in the execution context of its caller, as on a thread started for it, so what a cell sets in async-locals
/// (its output context, CultureInfo.CurrentCulture) ends with the cell.</summary>
internal sealed class CellThread
{
    readonly QuietQueue<(Action Cell, ExecutionContext? Context)> cells = new();
    readonly Thread thread;

    public CellThread()
    {
        thread = new Thread(Loop) { IsBackground = true, Name = "workbench-cell" };
        thread.Start();
    }

    /// <summary>Runs <paramref name="cell"/> on this thread once the previous cell has ended.</summary>
    public void Run(Action cell) => cells.Add((cell, ExecutionContext.Capture()));

    /// <summary>Runs no further cell: the thread ends when the cell it runs ends.</summary>
    public void Retire() => cells.CompleteAdding();

    /// <summary>Wakes the running cell from a blocking wait (Sleep, Wait, Join) with a ThreadInterruptedException.</summary>
    public void Interrupt()
    {
        try { thread.Interrupt(); } catch (ThreadStateException) { }
    }

    void Loop()
    {
        try
        {
            foreach (var (cell, context) in cells.GetConsumingEnumerable())
            {
                if (context is null) cell();
                else ExecutionContext.Run(context, static c => ((Action)c!)(), cell);
            }
        }
        catch (ThreadInterruptedException) { } // an interrupt that came after its cell ended: the thread is retired, so it ends
    }
}

/// <summary>An interrupted cell whose thread did not stop and was abandoned (told apart by type, not by message).</summary>
internal sealed class CellAbandonedException() : OperationCanceledException("the cell did not stop; its thread was abandoned");

/// <summary>A <c>#r</c> directive that cannot be resolved (a package missing from the local cache, no loadable assemblies):
/// a reference error. Other <see cref="WorkbenchException"/>s a cell's code throws are runtime errors of that type.</summary>
internal sealed class ReferenceResolutionException(string message, Exception inner) : WorkbenchException(message, inner);

/// <summary>A <c>#r</c> path that names no assembly file (a missing file or folder): a reference error, named as such.</summary>
internal sealed class ReferenceNotFoundException(string message) : WorkbenchException(message);

/// <summary>The next continuation's compilation with its references bound before its code is known. A new submission
/// compilation binds its references (the ~230 the session starts with, inherited from the first submission) before it
/// declares anything: about half of a trivial cell's compile (bench/README.md, "Kernel round trip: binding references
/// ahead"). Prepare compiles an empty continuation of the same script with the same options and binds its references
/// while the cell thread would idle; <see cref="TryApply"/> gives the cell's script that compilation with the cell's
/// syntax tree in place of the empty one (Roslyn keeps the bound references when the replaced and the new tree hold no
/// <c>#r</c>/<c>#load</c>). The code, references, imports, options and predecessor are the ones the script would have
/// compiled with, and every cell is still parsed, bound, emitted, loaded and run. Off with
/// <c>WORKBENCH_PREPARE_SUBMISSION=0</c> (to measure against).</summary>
internal sealed class PreparedSubmission
{
    public static bool Enabled { get; } = Environment.GetEnvironmentVariable("WORKBENCH_PREPARE_SUBMISSION") != "0";

    static readonly System.Reflection.FieldInfo? CachedCompilation =
        typeof(Script).GetField("_lazyCompilation", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic);

    readonly Script previous;
    readonly ScriptOptions options;
    readonly IReadOnlyList<MetadataReference> references;
    readonly Compilation compilation;
    readonly WellKnownTypes.Resolved? wellKnown;

    PreparedSubmission(Script previous, ScriptOptions options, IReadOnlyList<MetadataReference> references, Compilation compilation, WellKnownTypes.Resolved? wellKnown) =>
        (this.previous, this.options, this.references, this.compilation, this.wellKnown) = (previous, options, references, compilation, wellKnown);

    /// <summary>An empty continuation of <paramref name="previous"/> given <paramref name="references"/> (the references
    /// no submission holds yet), compiled without concurrency, its references bound, with the well-known types the
    /// previous submission resolved when both bind every reference to the same assembly (<see cref="WellKnownTypes"/>).</summary>
    public static PreparedSubmission? Prepare(Script previous, ScriptOptions options, IReadOnlyList<MetadataReference> references)
    {
        if (CachedCompilation?.FieldType != typeof(Compilation)) return null;
        var empty = previous.ContinueWith<object>("", options.WithReferences(references));
        var compilation = empty.GetCompilation();
        compilation = compilation.WithOptions(compilation.Options.WithConcurrentBuild(false));
        _ = compilation.Assembly; // binds the references (the compilation's reference manager)
        return new PreparedSubmission(previous, options, references, compilation, WellKnownTypes.Take(previous.GetCompilation(), compilation));
    }

    /// <summary>Gives <paramref name="script"/> the prepared compilation with its own syntax tree, when it continues the
    /// same predecessor with the same session options and pending references; false (nothing changed) otherwise.</summary>
    public bool TryApply(Script script, Script scriptPrevious, ScriptOptions sessionOptions, IReadOnlyList<MetadataReference> pending)
    {
        if (!ReferenceEquals(scriptPrevious, previous) || !ReferenceEquals(sessionOptions, options) || !pending.SequenceEqual(references))
            return false;
        var empty = compilation.SyntaxTrees.Single();
        var emptyText = empty.GetText();
        // Parsed as the script compiler parses a submission: its parse options, the cell's name as path, the same encoding
        // and checksum (a PDB, emitted when a cell throws, names and hashes the cell's text).
        var text = Microsoft.CodeAnalysis.Text.SourceText.From(script.Code, emptyText.Encoding, emptyText.ChecksumAlgorithm);
        var tree = SyntaxFactory.ParseSyntaxTree(text, empty.Options, script.Options.FilePath);
        var cell = compilation.ReplaceSyntaxTree(empty, tree);
        if (wellKnown is not null && WellKnownTypes.Give(cell, wellKnown)) WellKnownTypesCarried = true;
        CachedCompilation!.SetValue(script, cell);
        return true;
    }

    /// <summary>True once a cell was given the previous cell's well-known types (tests check the path is taken).</summary>
    internal bool WellKnownTypesCarried { get; private set; }
}

/// <summary>The types and members the compiler needs to emit any submission (Task, the async method builder and state
/// machine, compiler-generated and debugger attributes, ...), which each new compilation looks up again by metadata name
/// across all of its ~230 references on first use: about 2 ms of a trivial cell in process (bench/README.md, "Kernel
/// round trip: hops and well-known types"). A continuation that binds every reference to the same assembly symbols as
/// its predecessor finds the same symbols, so the predecessor's (Roslyn's private <c>_lazyWellKnownTypes</c> and
/// <c>_lazyWellKnownTypeMembers</c>, Microsoft.CodeAnalysis.CSharp 5.0.0) are copied into the prepared compilation;
/// entries that are missing or error symbols (they name the compilation they were made for) are left to be looked up
/// again. Submissions live in no namespace, so no cell can define a type of these names. If a Roslyn update renames the
/// fields, nothing is copied (<see cref="Available"/>, which a test checks, turns false). Off with
/// <c>WORKBENCH_CARRY_WELL_KNOWN_TYPES=0</c> (to measure against).</summary>
internal static class WellKnownTypes
{
    const System.Reflection.BindingFlags Private = System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic;
    static readonly System.Reflection.FieldInfo? Types = typeof(CSharpCompilation).GetField("_lazyWellKnownTypes", Private);
    static readonly System.Reflection.FieldInfo? Members = typeof(CSharpCompilation).GetField("_lazyWellKnownTypeMembers", Private);
    static readonly Type? ErrorType = typeof(CSharpCompilation).Assembly.GetType("Microsoft.CodeAnalysis.CSharp.Symbols.ErrorTypeSymbol");
    // The members array marks "not looked up yet" with this sentinel (a missing member is null).
    static readonly object? NotLookedUp = ErrorType?.GetField("UnknownResultType", System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public)?.GetValue(null);

    public static bool Enabled { get; } = Environment.GetEnvironmentVariable("WORKBENCH_CARRY_WELL_KNOWN_TYPES") != "0";

    /// <summary>True when the private fields exist with the expected shapes.</summary>
    public static bool Available => Types?.FieldType is { IsArray: true } && Members?.FieldType is { IsArray: true } && ErrorType is not null && NotLookedUp is not null;

    /// <summary>A copy of what the previous compilation resolved, taken for the next one only.</summary>
    public sealed record Resolved(Array Types, Array? Members);

    /// <summary>What <paramref name="previous"/> resolved, when <paramref name="next"/> binds each of its references to the
    /// same assembly symbol (else null: a <c>#r</c> may bring a type of the same name); runs off the cell's path.</summary>
    public static Resolved? Take(Compilation previous, Compilation next)
    {
        if (!Enabled || !Available || previous is not CSharpCompilation || next is not CSharpCompilation) return null;
        if (Types!.GetValue(previous) is not Array types) return null;
        // Every assembly each binds (inherited references included; submissions aside), the same symbol in the same place.
        static IAssemblySymbol[] Bound(Compilation c) => c.SourceModule.ReferencedAssemblySymbols.Where(a => !a.IsInteractive).ToArray();
        var before = Bound(previous);
        var after = Bound(next);
        if (before.Length != after.Length) return null;
        for (var i = 0; i < before.Length; i++)
            if (!ReferenceEquals(before[i], after[i])) return null;
        var copy = (Array)types.Clone();
        for (var i = 0; i < copy.Length; i++)
            if (copy.GetValue(i) is { } t && ErrorType!.IsInstanceOfType(t)) copy.SetValue(null, i);
        Array? members = null;
        if (Members!.GetValue(previous) is Array m)
        {
            members = (Array)m.Clone();
            for (var i = 0; i < members.Length; i++)
                if (members.GetValue(i) is not { } member || ErrorType!.IsInstanceOfType(member)) members.SetValue(NotLookedUp, i);
        }
        return new Resolved(copy, members);
    }

    /// <summary>Gives <paramref name="cell"/> (a compilation nothing has looked a well-known type up in) the copy.</summary>
    public static bool Give(Compilation cell, Resolved resolved)
    {
        if (Types!.GetValue(cell) is not null) return false;
        Types.SetValue(cell, resolved.Types);
        if (resolved.Members is not null && Members!.GetValue(cell) is null) Members.SetValue(cell, resolved.Members);
        return true;
    }
}
