using System.Diagnostics;

namespace Workbench.Notebooks;

/// <summary>Options of a <see cref="ChildProcessSession"/>.</summary>
/// <param name="Command">How to start the executor child: the program and its arguments (for the workbench CLI:
/// <c>workbench kernel executor</c>, or <c>dotnet workbench.dll kernel executor</c>).</param>
/// <param name="Session">The options of the session the child runs cells in.</param>
/// <param name="ContinueAfterLoss">When the child ended while no cell ran (an exception on a thread an earlier cell
/// started): true (the kernel) runs the next cell in the fresh session after a notice on stderr; false (the headless
/// runner, whose later cells need the lost state) fails the next cell with that explanation.</param>
/// <param name="Log">Where the child's own stderr and supervision notes go (default: this process's stderr).</param>
/// <param name="StartTimeout">How long a child may take to start and warm up.</param>
public sealed record ChildProcessOptions(
    IReadOnlyList<string> Command,
    NotebookSessionOptions? Session = null,
    bool ContinueAfterLoss = true,
    TextWriter? Log = null,
    TimeSpan? StartTimeout = null);

/// <summary>Runs cells in a supervised child process (<see cref="CellExecutorHost"/>). A fault that no .NET process
/// survives (a stack overflow, an unhandled exception on a thread a cell started, <c>Environment.FailFast</c>) ends the
/// child only: the running cell fails with a <c>SessionLost</c> error that says why and that the state was lost, a
/// fresh child is started at once, and the next cell runs in it. Outputs and statuses are the ones the child's
/// <see cref="NotebookSession"/> produced, so a notebook run this way gives the same outputs as in-process.</summary>
public sealed class ChildProcessSession : ICellSession
{
    /// <summary>The error name of a cell that the child process died under.</summary>
    public const string SessionLostName = "SessionLost";

    internal const string TieredCompilationVariable = "DOTNET_TieredCompilation";
    /// <summary>Set to 1 beside <see cref="TieredCompilationVariable"/> when Workbench chose it (the kernelspec for the
    /// kernel, the kernel or runner for its executor child), not the user.</summary>
    internal const string JitSetByParentVariable = "WORKBENCH_EXECUTOR_JIT_SET";

    /// <summary>The runtime read its JIT setting at start: when Workbench chose it (<see cref="JitSetByParentVariable"/>),
    /// remove it from this process's environment, so the processes this one starts get the user's environment.</summary>
    internal const string GcServerVariable = "DOTNET_gcServer";
    /// <summary>Set to 1 beside <see cref="GcServerVariable"/> when the kernel or runner chose it for its executor child.</summary>
    internal const string GcSetByParentVariable = "WORKBENCH_EXECUTOR_GC_SET";

    internal static void ForgetJitSettingChosenForThisProcess()
    {
        if (Environment.GetEnvironmentVariable(GcSetByParentVariable) == "1")
        {
            Environment.SetEnvironmentVariable(GcServerVariable, null);
            Environment.SetEnvironmentVariable(GcSetByParentVariable, null);
        }
        if (Environment.GetEnvironmentVariable(JitSetByParentVariable) != "1") return;
        Environment.SetEnvironmentVariable(TieredCompilationVariable, null);
        Environment.SetEnvironmentVariable(JitSetByParentVariable, null);
    }

    readonly ChildProcessOptions options;
    readonly TextWriter log;
    readonly SemaphoreSlim gate = new(1, 1);
    readonly object sync = new();
    Child? child;
    Child? launching; // started, not yet ready (still warming up): killed by Dispose, it holds no state yet
    Task<Child>? starting;
    string? lossNotice;
    long nextId;
    bool disposed;

    /// <summary>How many times a child was started after the first (one per lost session).</summary>
    public int Restarts { get; private set; }

    /// <summary>Raised (on a background thread) when the child ended while no cell ran: the argument says why.</summary>
    public event Action<string>? SessionLost;

    ChildProcessSession(ChildProcessOptions options)
    {
        this.options = options;
        log = options.Log ?? Console.Error;
    }

    /// <summary>Starts the child and waits until it is warmed up.</summary>
    public static ChildProcessSession Start(ChildProcessOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Command is not { Count: > 0 } || string.IsNullOrWhiteSpace(options.Command[0]))
            throw new OptionsValidationException("ChildProcessOptions.Command must name the executor program.");
        if (options.StartTimeout is { } t && t <= TimeSpan.Zero) throw new OptionsValidationException($"StartTimeout must be positive, got {t}.");
        (options.Session ?? new NotebookSessionOptions()).Validate();
        var session = new ChildProcessSession(options);
        try { session.Current().GetAwaiter().GetResult(); }
        catch { session.Dispose(); throw; }
        return session;
    }

    /// <summary>The live child, starting one when there is none (the first, or after a loss).</summary>
    Task<Child> Current()
    {
        lock (sync)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (child is { Alive: true }) return Task.FromResult(child);
            if (starting is { IsCompleted: false }) return starting;
            if (starting is { IsCompletedSuccessfully: true } && starting.Result.Alive) return starting;
            return starting = Task.Run(Launch);
        }
    }

    Child Launch()
    {
        var command = options.Command;
        var start = new ProcessStartInfo(command[0])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            StandardOutputEncoding = new UTF8Encoding(false), StandardErrorEncoding = new UTF8Encoding(false), StandardInputEncoding = new UTF8Encoding(false),
            WorkingDirectory = Environment.CurrentDirectory,
        };
        foreach (var arg in command.Skip(1)) start.ArgumentList.Add(arg);
        // Every cell runs the C# compiler, which ships without precompiled code: with tiered compilation its methods start
        // unoptimized and are recompiled in the background, and since every cell brings new code to compile the runtime
        // kept postponing that, so a warm trivial cell cost several times its optimized compile (bench/README.md, "Kernel
        // round trip, where the time went"). The child compiles each method once, optimized: slower to start, fast at
        // once. A DOTNET_TieredCompilation the user set is kept; the child removes ours before cells run (CellExecutorHost).
        if (Environment.GetEnvironmentVariable(TieredCompilationVariable) is null)
        {
            start.Environment[TieredCompilationVariable] = "0";
            start.Environment[JitSetByParentVariable] = "1";
        }
        // The CLI runs with server GC, whose two GC threads cost the child 0.35-0.6 ms CPU per trivial cell; workstation GC
        // cut a warm cell's CPU by 1.1-1.6 ms with no change in a walkthrough's CPU (bench/README.md, "Kernel round trip:
        // hops and well-known types"). A DOTNET_gcServer the user set is kept; the child removes ours before cells run.
        if (Environment.GetEnvironmentVariable(GcServerVariable) is null)
        {
            start.Environment[GcServerVariable] = "0";
            start.Environment[GcSetByParentVariable] = "1";
        }
        Process process;
        try { process = Process.Start(start) ?? throw new WorkbenchException($"could not start the cell executor ({string.Join(" ", command)})."); }
        catch (System.ComponentModel.Win32Exception ex) { throw new WorkbenchException($"could not start the cell executor ({string.Join(" ", command)}): {ex.Message}", ex); }
        var c = new Child(process, this);
        lock (sync)
        {
            if (disposed) { c.Kill(); throw new WorkbenchException("the cell executor was stopped while it started."); }
            launching = c;
        }
        c.Send(CellWire.Options(options.Session ?? new NotebookSessionOptions()));
        var limit = options.StartTimeout ?? TimeSpan.FromMinutes(2);
        if (!c.Ready.Wait(limit) || !c.Alive)
        {
            var why = c.Alive ? $"it did not get ready within {limit.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s" : c.DeathCause();
            c.Kill();
            throw new WorkbenchException($"the cell executor did not start ({string.Join(" ", command)}): {why}.");
        }
        lock (sync)
        {
            launching = null;
            if (!disposed) { child = c; return c; }
        }
        c.Shutdown(); // disposed while it warmed up
        throw new WorkbenchException("the cell executor was stopped while it started.");
    }

    /// <summary>Called by a child's reader when its stdout ends: the process is gone.</summary>
    void OnChildExited(Child c, bool hadPending)
    {
        bool notify;
        lock (sync)
        {
            if (disposed || !ReferenceEquals(child, c)) return; // a child that never got ready is reported by Launch
            Restarts++;
            notify = !hadPending;
            if (notify) lossNotice = c.DeathCause();
        }
        log.WriteLine($"workbench: the cell executor (pid {c.Pid}) ended: {c.DeathCause()}; starting a fresh session");
        if (notify)
        {
            try { SessionLost?.Invoke(lossNotice!); }
            catch (Exception ex) when (ex is not OutOfMemoryException) { log.WriteLine($"workbench: SessionLost handler failed: {ex.Message}"); }
        }
        // Start the replacement now: it warms up while the user reads the error.
        try { _ = Current().ContinueWith(t => { if (t.IsFaulted) log.WriteLine($"workbench: restarting the cell executor failed: {t.Exception?.InnerException?.Message}"); }, TaskScheduler.Default); }
        catch (ObjectDisposedException) { }
    }

    /// <inheritdoc/>
    public Task<CellResult> ExecuteAsync(string code, CellRunOptions run, CancellationToken cancellationToken = default) =>
        ExecuteCore(code, run, synchronous: false, cancellationToken);

    /// <inheritdoc/>
    public CellResult Execute(string code, CellRunOptions run) => ExecuteCore(code, run, synchronous: true, default).GetAwaiter().GetResult();

    /// <summary>One cell. <paramref name="synchronous"/>: every wait blocks the calling thread before its <c>await</c>, so
    /// the child's reply, read on the reader thread, wakes the caller directly (no thread-pool hop).</summary>
    async Task<CellResult> ExecuteCore(string code, CellRunOptions run, bool synchronous, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(code);
        ArgumentNullException.ThrowIfNull(run);
        if (synchronous) gate.Wait(cancellationToken);
        else await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        var stopwatch = Stopwatch.StartNew();
        var cellName = run.CellName ?? "the cell";
        var outputs = new List<CellOutput>();
        void Emit(CellOutput o)
        {
            outputs.Add(o);
            run.OnOutput?.Invoke(o);
        }
        try
        {
            string? notice;
            lock (sync) { notice = lossNotice; lossNotice = null; }
            if (notice is not null && !options.ContinueAfterLoss)
            {
                var error = new ErrorOutput(SessionLostName,
                    $"{cellName} did not run: the session was lost before it ({notice}); the variables and definitions earlier cells made are gone.",
                    [$"{SessionLostName}: {notice}"]);
                Emit(error);
                return new CellResult(CellStatus.Error, outputs, stopwatch.Elapsed, null);
            }
            Child c;
            try
            {
                var current = Current();
                if (synchronous) Block(current);
                c = await current.ConfigureAwait(false);
            }
            catch (WorkbenchException ex)
            {
                Emit(new ErrorOutput(SessionLostName, ex.Message, [ex.Message]));
                return new CellResult(CellStatus.Error, outputs, stopwatch.Elapsed, null);
            }
            if (notice is not null)
                Emit(new StreamOutput("stderr", $"[workbench: the previous session was lost ({notice}); {cellName} runs in a fresh session: earlier variables are gone]\n"));
            var id = Interlocked.Increment(ref nextId);
            var streamed = new List<CellOutput>();
            var pending = c.Expect(id, o => { lock (streamed) streamed.Add(o); run.OnOutput?.Invoke(o); }, run.OnInput);
            KernelTimings.Mark("p.send");
            c.Send(new JsonObject
            {
                ["op"] = "execute", ["id"] = id, ["code"] = CellWire.Clean(code), ["cell"] = run.CellName,
                ["timeout_ms"] = CellWire.Millis(run.Timeout), ["allow_stdin"] = run.OnInput is not null,
            });
            JsonObject? done;
            using (cancellationToken.Register(Interrupt))
            {
                if (synchronous) Block(pending);
                done = await pending.ConfigureAwait(false);
            }
            KernelTimings.Mark("p.resumed");
            if (done is null)
            {
                // The child died under this cell: keep what it printed, then say what happened.
                lock (streamed) outputs.AddRange(streamed);
                var cause = c.DeathCause();
                var message = $"{cellName}: the process running the cells ended ({cause}). The session's state (variables, usings, references) was lost; " +
                    "a fresh session has started: run again the cells this one needs.";
                var error = new ErrorOutput(SessionLostName, message, [$"{SessionLostName}: {message}", .. c.FatalStack()]);
                outputs.Add(error);
                run.OnOutput?.Invoke(error);
                return new CellResult(CellStatus.Error, outputs, stopwatch.Elapsed, null);
            }
            outputs.AddRange((done["outputs"] as JsonArray ?? []).Select(CellWire.ReadOutput));
            var status = Enum.TryParse<CellStatus>(done["status"]?.GetValue<string>(), out var s) ? s : CellStatus.Error;
            return new CellResult(status, outputs, stopwatch.Elapsed, null);
        }
        finally { gate.Release(); }
    }

    /// <summary>Waits for <paramref name="task"/> on this thread (the await after it finds it done; it rethrows a fault).</summary>
    static void Block(Task task)
    {
        QuietWait.For(task);
    }

    /// <inheritdoc/>
    public void Interrupt()
    {
        Child? c;
        lock (sync) c = child;
        c?.Send(new JsonObject { ["op"] = "interrupt" });
    }

    /// <inheritdoc/>
    public CompletionResult Complete(string code, int cursor)
    {
        var reply = Ask(new JsonObject { ["op"] = "complete", ["code"] = CellWire.Clean(code), ["cursor"] = cursor });
        if (reply?["matches"] is not JsonArray matches) return new CompletionResult(cursor, cursor, []);
        return new CompletionResult(reply["start"]?.GetValue<int>() ?? cursor, reply["end"]?.GetValue<int>() ?? cursor,
            matches.Select(m => m?.GetValue<string>() ?? "").ToList());
    }

    /// <inheritdoc/>
    public InspectionResult Inspect(string code, int cursor)
    {
        var reply = Ask(new JsonObject { ["op"] = "inspect", ["code"] = CellWire.Clean(code), ["cursor"] = cursor });
        return reply?["found"]?.GetValue<bool>() == true ? new InspectionResult(true, reply["text"]?.GetValue<string>() ?? "") : new InspectionResult(false, "");
    }

    JsonObject? Ask(JsonObject request)
    {
        gate.Wait();
        try
        {
            var c = Current().GetAwaiter().GetResult();
            var id = Interlocked.Increment(ref nextId);
            var pending = c.Expect(id, null);
            request["id"] = id;
            c.Send(request);
            return pending.Wait(TimeSpan.FromSeconds(60)) ? pending.Result : null;
        }
        catch (WorkbenchException) { return null; }
        finally { gate.Release(); }
    }

    /// <summary>Stops the child (it also ends by itself when this process's end closes its stdin).</summary>
    public void Dispose()
    {
        Child? c, warming;
        lock (sync)
        {
            if (disposed) return;
            disposed = true;
            c = child;
            warming = launching;
        }
        // A child still warming up reads no request until it is ready (seconds when its JIT compiles everything optimized):
        // it would outlive a kernel whose client died (the jupyter_client check wants both gone within 5 s).
        warming?.Kill();
        c?.Shutdown();
        if (starting is { IsCompletedSuccessfully: true } s && !ReferenceEquals(s.Result, c)) s.Result.Shutdown();
    }

    /// <summary>Kills the executor and then the processes it started (a chart's headless browser). .NET's
    /// <c>Kill(entireProcessTree: true)</c> stops (SIGSTOP) each process before it lists its children and kills it, so a
    /// caller that dies in between (a kernel ending because its client died) leaves the executor stopped for good, orphaned
    /// to init (seen after CI runs). Here on Linux the descendants are listed first from /proc and each is killed outright:
    /// if this process dies midway, the executor is either killed or untouched, and an untouched one exits when its stdin
    /// closes.</summary>
    internal static void KillTree(Process root)
    {
        if (!OperatingSystem.IsLinux()) { root.Kill(entireProcessTree: true); return; }
        var descendants = Descendants(root.Id);
        try { root.Kill(); }
        catch (InvalidOperationException) { } // ended already: its children are still killed
        foreach (var pid in descendants)
        {
            try { using var p = Process.GetProcessById(pid); p.Kill(); }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception) { }
        }
    }

    /// <summary>The processes descending from <paramref name="root"/>, parents before children, by the parent pid in
    /// each /proc/PID/stat.</summary>
    internal static List<int> Descendants(int root)
    {
        var childrenOf = new Dictionary<int, List<int>>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int pid)) continue;
            string stat;
            try { stat = File.ReadAllText(Path.Combine(dir, "stat")); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { continue; } // ended meanwhile
            if (ProcStat.ParentPid(stat) is not int parent) continue;
            if (!childrenOf.TryGetValue(parent, out var list)) childrenOf[parent] = list = new List<int>();
            list.Add(pid);
        }
        var found = new List<int>();
        var queue = new Queue<int>();
        queue.Enqueue(root);
        while (queue.Count > 0)
            if (childrenOf.TryGetValue(queue.Dequeue(), out var kids))
                foreach (var kid in kids) { found.Add(kid); queue.Enqueue(kid); }
        return found;
    }

    /// <summary>One executor process: its pipes, the request it is answering, and what it said before it died.</summary>
    sealed class Child
    {
        readonly Process process;
        readonly ChildProcessSession owner;
        readonly StreamWriter input;
        readonly object writeLock = new();
        readonly object pendingLock = new();
        readonly Queue<string> stderrTail = new();
        readonly TaskCompletionSource exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
        long pendingId = -1;
        TaskCompletionSource<JsonObject?>? pending;
        Action<CellOutput>? onOutput;
        Func<InputRequest, string?>? onInput;
        JsonObject? fatal;
        bool sawStackOverflow;
        int overflowLines;
        volatile bool alive = true;

        public ManualResetEventSlim Ready { get; } = new();
        public bool Alive => alive;
        public int Pid { get; }

        public Child(Process process, ChildProcessSession owner)
        {
            this.process = process;
            this.owner = owner;
            Pid = process.Id;
            input = process.StandardInput;
            input.NewLine = "\n";
            input.AutoFlush = false;
            new Thread(ReadOutput) { IsBackground = true, Name = $"workbench-executor-{Pid}-out" }.Start();
            new Thread(ReadError) { IsBackground = true, Name = $"workbench-executor-{Pid}-err" }.Start();
        }

        public Task<JsonObject?> Expect(long id, Action<CellOutput>? outputs, Func<InputRequest, string?>? inputs = null)
        {
            var tcs = new TaskCompletionSource<JsonObject?>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (pendingLock)
            {
                if (!alive) { tcs.SetResult(null); return tcs.Task; }
                pendingId = id;
                pending = tcs;
                onOutput = outputs;
                onInput = inputs;
            }
            return tcs.Task;
        }

        public void Send(JsonObject message)
        {
            var line = message.ToJsonString();
            lock (writeLock)
            {
                try
                {
                    input.WriteLine(line);
                    input.Flush();
                }
                catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException) { } // dead: the reader reports it
            }
        }

        void ReadOutput()
        {
            try
            {
                string? line;
                while ((line = process.StandardOutput.ReadLine()) is not null)
                {
                    JsonObject message;
                    try { message = JsonNode.Parse(line)!.AsObject(); }
                    catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException or NullReferenceException)
                    {
                        owner.log.WriteLine($"workbench: ignored a malformed line from the cell executor: {ex.Message}");
                        continue;
                    }
                    KernelTimings.Mark("p.read " + message["op"]);
                    Dispatch(message);
                }
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException) { }
            try { process.WaitForExit(5000); } catch (InvalidOperationException) { }
            // stderr may still be draining the last lines (the "Stack overflow." report): give it a moment.
            exited.Task.Wait(TimeSpan.FromSeconds(2));
            TaskCompletionSource<JsonObject?>? orphan;
            lock (pendingLock)
            {
                alive = false;
                orphan = pending;
                pending = null;
            }
            Ready.Set();
            owner.OnChildExited(this, hadPending: orphan is not null);
            orphan?.TrySetResult(null);
        }

        void Dispatch(JsonObject message)
        {
            switch (message["op"]?.GetValue<string>())
            {
                case "ready": Ready.Set(); break;
                case "fatal": lock (pendingLock) fatal = message; break;
                case "output":
                {
                    Action<CellOutput>? sink;
                    lock (pendingLock) sink = CellWire.Id(message) == pendingId ? onOutput : null;
                    if (sink is null) break;
                    try { sink(CellWire.ReadOutput(message["output"])); }
                    catch (Exception ex) when (ex is FormatException or InvalidOperationException) { owner.log.WriteLine($"workbench: ignored a malformed output: {ex.Message}"); }
                    break;
                }
                case "input_request":
                {
                    // The cell waits in Console.ReadLine: ask on another thread (the answer may take minutes), reply by id.
                    Func<InputRequest, string?>? ask;
                    var id = CellWire.Id(message);
                    lock (pendingLock) ask = id == pendingId ? onInput : null;
                    var request = new InputRequest(message["prompt"]?.GetValue<string>() ?? "", message["password"]?.GetValue<bool>() ?? false);
                    _ = Task.Run(() =>
                    {
                        string? value = null;
                        try { value = ask?.Invoke(request); }
                        catch (Exception ex) when (ex is not OutOfMemoryException) { owner.log.WriteLine($"workbench: answering an input request failed: {ex.Message}"); }
                        Send(new JsonObject { ["op"] = "input_reply", ["id"] = id, ["value"] = value is null ? null : CellWire.Clean(value) });
                    });
                    break;
                }
                case "done" or "completed" or "inspected":
                {
                    TaskCompletionSource<JsonObject?>? tcs = null;
                    lock (pendingLock)
                    {
                        if (CellWire.Id(message) == pendingId) { tcs = pending; pending = null; onOutput = null; onInput = null; pendingId = -1; }
                    }
                    tcs?.TrySetResult(message);
                    break;
                }
            }
        }

        void ReadError()
        {
            try
            {
                string? line;
                while ((line = process.StandardError.ReadLine()) is not null)
                {
                    if (line.StartsWith("Stack overflow.", StringComparison.Ordinal)) sawStackOverflow = true;
                    if (sawStackOverflow && ++overflowLines > 24)
                    {
                        if (overflowLines == 25) owner.log.WriteLine("   ... (the rest of the stack overflow report is not shown)");
                        continue;
                    }
                    lock (stderrTail)
                    {
                        stderrTail.Enqueue(line);
                        if (stderrTail.Count > 20) stderrTail.Dequeue();
                    }
                    // The child's own log (and a stack overflow's frames) go to this process's log, bounded per line.
                    owner.log.WriteLine(line.Length > 2000 ? line[..2000] + "..." : line);
                }
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException) { }
            exited.TrySetResult();
        }

        /// <summary>Why the child ended, in words: the unhandled exception it reported, a stack overflow, or its exit code.</summary>
        public string DeathCause()
        {
            JsonObject? f;
            lock (pendingLock) f = fatal;
            string code = "";
            try { if (process.HasExited) code = $"exit code {process.ExitCode.ToString(CultureInfo.InvariantCulture)}"; }
            catch (InvalidOperationException) { }
            if (f is not null)
                return $"an unhandled {f["name"]?.GetValue<string>()} on thread '{f["thread"]?.GetValue<string>()}': {f["message"]?.GetValue<string>()}" +
                       " (.NET ends a process on an unhandled exception on any thread; catch exceptions inside threads and tasks a cell starts)" +
                       (code.Length > 0 ? "; " + code : "");
            if (sawStackOverflow) return "a stack overflow (runaway recursion, for example a lambda that calls itself)" + (code.Length > 0 ? "; " + code : "");
            string last;
            lock (stderrTail) last = stderrTail.LastOrDefault(l => l.Trim().Length > 0) ?? "";
            return (code.Length > 0 ? code : "the process ended") + (last.Length > 0 ? $"; its last words: {(last.Length > 300 ? last[..300] + "..." : last)}" : "");
        }

        public IEnumerable<string> FatalStack()
        {
            JsonObject? f;
            lock (pendingLock) f = fatal;
            var stack = f?["stack"]?.GetValue<string>();
            return string.IsNullOrEmpty(stack) ? [] : stack.Split('\n').Take(40).Select(l => l.TrimEnd('\r'));
        }

        public void Shutdown()
        {
            Send(new JsonObject { ["op"] = "shutdown" });
            try { input.Close(); } catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException) { }
            try { if (!process.WaitForExit(3000)) KillTree(process); }
            catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception) { }
        }

        public void Kill()
        {
            try { KillTree(process); }
            catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception) { }
        }
    }
}
