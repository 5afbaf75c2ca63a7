using System.Reflection;
using System.Runtime.InteropServices;
using NetMQ;
using NetMQ.Sockets;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Workbench.Notebooks.Kernel;

/// <summary>A Jupyter kernel (messaging protocol 5.3) for C# over NetMQ. One poller thread owns every socket
/// (ZeroMQ sockets are not thread-safe): it answers heartbeats and control requests at once and hands shell
/// requests, in order, to an executor thread that runs cells in a <see cref="NotebookSession"/>, or, when
/// <see cref="KernelServerOptions.ExecutorCommand"/> is set (the workbench CLI sets it), in a supervised child process
/// (<see cref="ChildProcessSession"/>): a stack overflow or an exception on a thread a cell started then ends the child,
/// the kernel answers the running cell with a SessionLost error saying the state was lost, restarts the child and
/// keeps serving. Messages whose signature does not verify are dropped without a reply and logged to stderr.</summary>
public sealed class KernelServer : IDisposable
{
    readonly ConnectionInfo connection;
    readonly MessageSigner signer;
    readonly TextWriter log;
    readonly string sessionId = Guid.NewGuid().ToString("N");
    readonly RouterSocket shell = new();
    readonly RouterSocket control = new();
    readonly RouterSocket stdin = new();
    readonly PublisherSocket iopub = new();
    readonly ResponseSocket heartbeat = new();
    readonly NetMQQueue<Action> outbound = new();
    readonly NetMQPoller poller;
    readonly QuietQueue<JupyterMessage> shellRequests = new();
    readonly ManualResetEventSlim stopped = new();
    readonly KernelServerOptions options;
    volatile ICellSession? session;
    volatile JupyterMessage? lastExecute;
    int executionCount;
    bool cellRunning;
    readonly List<(int Line, string Input, string? Output)> history = [];
    TaskCompletionSource<string?>? pendingInput;

    /// <summary>Binds the five sockets described by <paramref name="connection"/> (loopback only).</summary>
    public KernelServer(ConnectionInfo connection, TextWriter? log = null, KernelServerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        connection.Validate("connection");
        this.connection = connection;
        this.options = options ?? new KernelServerOptions();
        this.log = log ?? Console.Error;
        signer = new MessageSigner(connection.Key);
        foreach (var socket in new NetMQSocket[] { shell, control, stdin, iopub, heartbeat })
            socket.Options.Linger = TimeSpan.FromSeconds(1);
        shell.Bind(connection.Endpoint(connection.ShellPort));
        control.Bind(connection.Endpoint(connection.ControlPort));
        stdin.Bind(connection.Endpoint(connection.StdinPort));
        iopub.Bind(connection.Endpoint(connection.IopubPort));
        heartbeat.Bind(connection.Endpoint(connection.HeartbeatPort));

        shell.ReceiveReady += (_, e) => OnRequest(e.Socket, isControl: false);
        control.ReceiveReady += (_, e) => OnRequest(e.Socket, isControl: true);
        stdin.ReceiveReady += (_, e) => OnStdin(e.Socket);
        heartbeat.ReceiveReady += (_, e) => e.Socket.SendMultipartMessage(e.Socket.ReceiveMultipartMessage());
        outbound.ReceiveReady += (_, e) =>
        {
            while (e.Queue.TryDequeue(out var send, TimeSpan.Zero)) send();
        };
        poller = [shell, control, stdin, heartbeat, outbound];
        if (!signer.Enabled) this.log.WriteLine("workbench kernel: warning: the connection file has an empty key; messages are not authenticated");
    }

    /// <summary>Serves until a shutdown request (or SIGTERM). SIGINT interrupts the running cell.</summary>
    public void Run()
    {
        // The kernelspec started this process without tiered compilation; the executor child gets its own setting from
        // ChildProcessSession (which keeps a value it finds in the environment), so remove the kernelspec's first.
        ChildProcessSession.ForgetJitSettingChosenForThisProcess();
        // Nothing outside a cell may read the kernel's stdin; replacing Console.In outright would cut cells of another
        // session in this process off from input_request, so the router's fallback is detached instead.
        ConsoleRouter.DetachStdin();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            context.Cancel = true; // keep the process: interrupt the cell instead
            // jupyter_client interrupts before every shutdown: say something only when a cell was actually running.
            if (lastExecute is not null && Volatile.Read(ref cellRunning)) log.WriteLine("workbench kernel: SIGINT: interrupting the running cell");
            session?.Interrupt();
            CancelInput();
        });
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            Stop();
        });
        using var parentPoller = ParentPoller.Start(options.ParentPid, log, Stop);
        var executor = new Thread(ExecutorLoop) { IsBackground = true, Name = "workbench-kernel-executor" };
        executor.Start();
        poller.RunAsync("workbench-kernel-poller");
        Publish("status", new JsonObject { ["execution_state"] = "starting" }, null);
        log.WriteLine($"workbench kernel: listening on {connection.Ip} (shell {connection.ShellPort}, iopub {connection.IopubPort}, control {connection.ControlPort}, hb {connection.HeartbeatPort})");
        stopped.Wait();
        shellRequests.CompleteAdding();
        poller.Stop();
    }

    void Stop()
    {
        session?.Interrupt();
        CancelInput();
        stopped.Set();
    }

    /// <summary>Message ids already seen, per session (jupyter_client's Session refuses replays the same way); the oldest
    /// are forgotten past <see cref="ReplayMemory"/> so memory stays bounded.</summary>
    readonly HashSet<(string Session, string Id)> seen = [];
    readonly Queue<(string Session, string Id)> seenOrder = new();
    const int ReplayMemory = 100_000;

    bool IsReplay(JupyterMessage message, bool isControl)
    {
        var key = ((isControl ? "control:" : "shell:") + message.Session, message.MessageId);
        if (key.MessageId.Length == 0) return false;
        lock (seen)
        {
            if (!seen.Add(key)) return true;
            seenOrder.Enqueue(key);
            if (seenOrder.Count > ReplayMemory) seen.Remove(seenOrder.Dequeue());
            return false;
        }
    }

    void OnRequest(NetMQSocket socket, bool isControl)
    {
        // Runs on the poller thread, which owns every socket: nothing a message holds may throw out of here.
        try { HandleRequest(socket, isControl); }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            log.WriteLine($"workbench kernel: ignored a malformed message on {(isControl ? "control" : "shell")}: {ex.GetType().Name}: {ex.Message}");
        }
    }

    void HandleRequest(NetMQSocket socket, bool isControl)
    {
        KernelTimings.Mark(isControl ? "k.control" : "k.shell");
        var frames = socket.ReceiveMultipartMessage().Select(f => f.ToByteArray()).ToList();
        KernelTimings.Mark("k.received");
        var message = JupyterMessage.Parse(frames, signer, out var rejection);
        KernelTimings.Mark("k.parsed");
        if (message is null)
        {
            log.WriteLine($"workbench kernel: dropped a message on {(isControl ? "control" : "shell")}: {rejection}");
            return;
        }
        if (JupyterMessage.Text(message.Header, "msg_type") is null)
        {
            log.WriteLine($"workbench kernel: dropped a signed message on {(isControl ? "control" : "shell")}: header.msg_type is not a string");
            return;
        }
        if (IsReplay(message, isControl))
        {
            log.WriteLine($"workbench kernel: dropped a replayed message {message.MessageId} ({message.MessageType}) of session {message.Session}");
            return;
        }
        // kernel_info is stateless: answer at once (also on shell) so clients see the kernel ready while it warms up
        // or runs a long cell. Everything else on shell runs in order on the executor.
        if (!isControl && message.MessageType != "kernel_info_request")
        {
            shellRequests.Add(message);
            return;
        }
        Publish("status", new JsonObject { ["execution_state"] = "busy" }, message);
        switch (message.MessageType)
        {
            case "kernel_info_request": Reply(socket, message, "kernel_info_reply", KernelInfo()); break;
            case "interrupt_request":
                session?.Interrupt();
                CancelInput();
                Reply(control, message, "interrupt_reply", new JsonObject { ["status"] = "ok" });
                break;
            case "shutdown_request": Shutdown(control, message); break;
            default: log.WriteLine($"workbench kernel: ignored control message {message.MessageType}"); break;
        }
        Publish("status", new JsonObject { ["execution_state"] = "idle" }, message);
    }

    void Shutdown(NetMQSocket socket, JupyterMessage request)
    {
        if (JupyterMessage.Flag(request.Content, "restart", false) is not { } restart)
        {
            log.WriteLine("workbench kernel: refused a shutdown_request whose 'restart' is not true or false");
            Reply(socket, request, "shutdown_reply", new JsonObject
            {
                ["status"] = "error", ["ename"] = "BadRequest", ["evalue"] = "shutdown_request: 'restart' must be true or false", ["traceback"] = new JsonArray(),
            });
            return;
        }
        Reply(socket, request, "shutdown_reply", new JsonObject { ["status"] = "ok", ["restart"] = restart });
        // The client restarts by starting a new process, so both cases end this one, after the reply is sent.
        outbound.Enqueue(Stop);
    }

    /// <summary>The session cells run in: a supervised child process when an executor command is configured (falling
    /// back to this process, with a log line, if the child cannot start), else this process.</summary>
    ICellSession CreateSession()
    {
        if (options.ExecutorCommand is { Count: > 0 } command)
        {
            try
            {
                var child = ChildProcessSession.Start(new ChildProcessOptions(command, Log: log));
                child.SessionLost += OnSessionLost;
                return child;
            }
            catch (WorkbenchException ex)
            {
                log.WriteLine($"workbench kernel: {ex.Message} Cells run in the kernel process instead (a stack overflow will end the kernel).");
            }
        }
        var inProcess = NotebookSession.Create();
        // Load the references and JIT the compiler while the client connects: the first real cell is then fast.
        var warmUp = inProcess.ExecuteAsync("0", new CellRunOptions(CellName: "warm-up")).GetAwaiter().GetResult();
        if (warmUp.Status != CellStatus.Ok) log.WriteLine($"workbench kernel: warm-up failed: {warmUp.Error?.Message}");
        return inProcess;
    }

    /// <summary>The child ended while no cell ran (a thread an earlier cell started threw): say so under that cell.</summary>
    void OnSessionLost(string cause)
    {
        var parent = lastExecute;
        var text = $"[workbench kernel: the session was lost after this cell ran: {cause}. Variables and definitions are gone; the next cell runs in a fresh session.]\n";
        Publish("stream", new JsonObject { ["name"] = "stderr", ["text"] = text }, parent);
    }

    void ExecutorLoop()
    {
        session = CreateSession();
        foreach (var request in shellRequests.GetConsumingEnumerable())
        {
            KernelTimings.Mark("k.dequeued");
            Publish("status", new JsonObject { ["execution_state"] = "busy" }, request);
            try
            {
                switch (request.MessageType)
                {
                    case "execute_request": Execute(request); break;
                    case "kernel_info_request": Reply(shell, request, "kernel_info_reply", KernelInfo()); break;
                    case "complete_request": Reply(shell, request, "complete_reply", Complete(request.Content)); break;
                    case "inspect_request": Reply(shell, request, "inspect_reply", Inspect(request.Content)); break;
                    case "is_complete_request": Reply(shell, request, "is_complete_reply", IsComplete(request.Content)); break;
                    case "history_request": Reply(shell, request, "history_reply", History(request.Content)); break;
                    case "comm_info_request": Reply(shell, request, "comm_info_reply", new JsonObject { ["status"] = "ok", ["comms"] = new JsonObject() }); break;
                    case "shutdown_request": Shutdown(shell, request); break;
                    default: log.WriteLine($"workbench kernel: ignored shell message {request.MessageType}"); break;
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A bug in a handler must not kill the kernel; the client sees an error reply.
                log.WriteLine($"workbench kernel: {request.MessageType} failed: {ex}");
                Reply(shell, request, request.MessageType.Replace("_request", "_reply", StringComparison.Ordinal), new JsonObject
                {
                    ["status"] = "error", ["ename"] = ex.GetType().Name, ["evalue"] = ex.Message, ["traceback"] = new JsonArray(),
                });
            }
            Publish("status", new JsonObject { ["execution_state"] = "idle" }, request);
            KernelTimings.Mark("k.idle-queued");
            KernelTimings.Flush();
        }
    }

    void Execute(JupyterMessage request)
    {
        var code = request.Content["code"]?.GetValue<string>() ?? "";
        var silent = request.Content["silent"]?.GetValue<bool>() ?? false;
        var storeHistory = !silent && (request.Content["store_history"]?.GetValue<bool>() ?? true);
        var stopOnError = request.Content["stop_on_error"]?.GetValue<bool>() ?? true;
        if (storeHistory) executionCount++;
        var count = executionCount;
        if (!silent) Publish("execute_input", new JsonObject { ["code"] = code, ["execution_count"] = count }, request);
        lastExecute = request;
        var allowStdin = request.Content["allow_stdin"]?.GetValue<bool>() ?? false;
        string? resultText = null;

        Volatile.Write(ref cellRunning, true);
        KernelTimings.Mark("k.session");
        CellResult result;
        try
        {
            result = session!.Execute(code, new CellRunOptions(CellName: $"In [{count}]", OnOutput: output =>
            {
                if (output is DisplayOutput { IsResult: true } r) resultText = r.Data.GetValueOrDefault("text/plain");
                if (!silent) PublishOutput(output, request, count);
            }, OnInput: allowStdin && !silent ? ask => AskInput(ask, request) : null));
        }
        finally { Volatile.Write(ref cellRunning, false); }
        KernelTimings.Mark("k.session-returned");
        if (storeHistory)
            lock (history) history.Add((count, code, resultText));

        if (result.Status == CellStatus.Ok)
        {
            Reply(shell, request, "execute_reply", new JsonObject
            {
                ["status"] = "ok", ["execution_count"] = count, ["user_expressions"] = new JsonObject(), ["payload"] = new JsonArray(),
            });
            return;
        }
        var error = result.Error!;
        Reply(shell, request, "execute_reply", new JsonObject
        {
            ["status"] = "error", ["execution_count"] = count, ["ename"] = error.Name, ["evalue"] = error.Message,
            ["traceback"] = new JsonArray(error.Traceback.Select(t => (JsonNode?)t).ToArray()),
        });
        if (stopOnError) AbortQueuedExecutions();
    }

    /// <summary>After an error, execute requests already queued are answered "aborted" (as ipykernel does) so a
    /// "run all" stops at the failing cell.</summary>
    void AbortQueuedExecutions()
    {
        var keep = new List<JupyterMessage>();
        while (shellRequests.TryTake(out var queued))
        {
            if (queued.MessageType != "execute_request") { keep.Add(queued); continue; }
            Publish("status", new JsonObject { ["execution_state"] = "busy" }, queued);
            Reply(shell, queued, "execute_reply", new JsonObject { ["status"] = "aborted", ["execution_count"] = executionCount });
            Publish("status", new JsonObject { ["execution_state"] = "idle" }, queued);
        }
        foreach (var request in keep) shellRequests.Add(request);
    }

    void PublishOutput(CellOutput output, JupyterMessage request, int count)
    {
        switch (output)
        {
            case StreamOutput s:
                Publish("stream", new JsonObject { ["name"] = s.Name, ["text"] = s.Text }, request);
                break;
            case DisplayOutput d:
                var data = new JsonObject();
                foreach (var (mime, text) in d.Data) data[mime] = NotebookJson.IsJsonMime(mime) ? JsonNode.Parse(text) : text;
                var transient = d.DisplayId is null ? new JsonObject() : new JsonObject { ["display_id"] = d.DisplayId };
                if (d.IsResult)
                    Publish("execute_result", new JsonObject { ["execution_count"] = count, ["data"] = data, ["metadata"] = new JsonObject() }, request);
                else
                    Publish(d.IsUpdate ? "update_display_data" : "display_data", new JsonObject { ["data"] = data, ["metadata"] = new JsonObject(), ["transient"] = transient }, request);
                break;
            case ErrorOutput e:
                Publish("error", new JsonObject
                {
                    ["ename"] = e.Name, ["evalue"] = e.Message, ["traceback"] = new JsonArray(e.Traceback.Select(t => (JsonNode?)t).ToArray()),
                }, request);
                break;
        }
    }

    /// <summary>history_reply over this kernel's own executions (session 1; no database across kernels): "tail" (the
    /// last n), "range" (lines start..stop of session 0 = this one, or 1) and "search" (a glob pattern, optionally
    /// unique), each entry [session, line, input] or [session, line, [input, output]] when output is asked.</summary>
    JsonObject History(JsonObject content)
    {
        List<(int Line, string Input, string? Output)> all;
        lock (history) all = [.. history];
        var output = JupyterMessage.Flag(content, "output", false) ?? false;
        var kind = content["hist_access_type"]?.GetValue<string>() ?? "tail";
        int Int(string key, int fallback) => content[key] is JsonValue v && v.TryGetValue<int>(out var i) ? i : fallback;
        IEnumerable<(int Line, string Input, string? Output)> chosen = kind switch
        {
            "tail" => all.TakeLast(Math.Max(0, Int("n", 10))),
            "range" when Int("session", 0) is 0 or 1 => all.Where(h => h.Line >= Int("start", 1) && (Int("stop", int.MaxValue) is var stop && (stop <= 0 ? true : h.Line < stop))),
            "search" => Search(all, content["pattern"]?.GetValue<string>() ?? "*", JupyterMessage.Flag(content, "unique", false) ?? false, Int("n", 0)),
            _ => [],
        };
        var entries = chosen.Select(h => (JsonNode?)new JsonArray(1, h.Line,
            output ? new JsonArray(h.Input, h.Output) : JsonValue.Create(h.Input))).ToArray();
        return new JsonObject { ["status"] = "ok", ["history"] = new JsonArray(entries) };
    }

    static IEnumerable<(int Line, string Input, string? Output)> Search(List<(int Line, string Input, string? Output)> all, string pattern, bool unique, int n)
    {
        var regex = new System.Text.RegularExpressions.Regex("^" + System.Text.RegularExpressions.Regex.Escape(pattern).Replace(@"\*", ".*", StringComparison.Ordinal).Replace(@"\?", ".", StringComparison.Ordinal) + "$",
            System.Text.RegularExpressions.RegexOptions.Singleline);
        var hits = all.Where(h => regex.IsMatch(h.Input)).ToList();
        if (unique) hits = hits.GroupBy(h => h.Input).Select(g => g.Last()).OrderBy(h => h.Line).ToList();
        return n > 0 ? hits.TakeLast(n) : hits;
    }

    /// <summary>Console.ReadLine in a cell: an input_request to the client on stdin (to the identities of the execute
    /// request, as ipykernel does), then wait for its input_reply; an interrupt or shutdown answers null.</summary>
    string? AskInput(InputRequest ask, JupyterMessage request)
    {
        var answer = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Exchange(ref pendingInput, answer)?.TrySetResult(null);
        Send(stdin, JupyterMessage.Create("input_request", new JsonObject { ["prompt"] = ask.Prompt, ["password"] = ask.Password }, request, sessionId, request.Identities));
        return answer.Task.GetAwaiter().GetResult();
    }

    void CancelInput() => Interlocked.Exchange(ref pendingInput, null)?.TrySetResult(null);

    void OnStdin(NetMQSocket socket)
    {
        try
        {
            var frames = socket.ReceiveMultipartMessage().Select(f => f.ToByteArray()).ToList();
            KernelTimings.Mark("k.received");
        var message = JupyterMessage.Parse(frames, signer, out var rejection);
        KernelTimings.Mark("k.parsed");
            if (message is null) { log.WriteLine($"workbench kernel: dropped a message on stdin: {rejection}"); return; }
            if (message.MessageType != "input_reply") { log.WriteLine($"workbench kernel: ignored stdin message {message.MessageType}"); return; }
            var value = message.Content["value"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";
            Interlocked.Exchange(ref pendingInput, null)?.TrySetResult(value);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            log.WriteLine($"workbench kernel: ignored a malformed message on stdin: {ex.GetType().Name}: {ex.Message}");
        }
    }

    JsonObject KernelInfo() => new()
    {
        ["status"] = "ok",
        ["protocol_version"] = JupyterMessage.ProtocolVersion,
        ["implementation"] = "workbench",
        ["implementation_version"] = typeof(KernelServer).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0",
        ["language_info"] = new JsonObject
        {
            ["name"] = "C#",
            ["version"] = LanguageVersion.Latest.MapSpecifiedToEffectiveVersion().ToDisplayString(),
            ["mimetype"] = "text/x-csharp",
            ["file_extension"] = ".cs",
            ["pygments_lexer"] = "csharp",
            ["codemirror_mode"] = "text/x-csharp",
        },
        ["banner"] = $"Workbench C# kernel (Roslyn scripting) on .NET {Environment.Version}",
        ["help_links"] = new JsonArray(),
        ["debugger"] = false,
    };

    /// <summary>The request's code and its cursor (Jupyter counts code points; .NET strings count UTF-16 units).</summary>
    static (string Code, int Cursor) CodeAndCursor(JsonObject content)
    {
        var code = content["code"]?.GetValue<string>() ?? "";
        return (code, CodePoints.ToUtf16(code, content["cursor_pos"]?.GetValue<int>() ?? code.Length));
    }

    JsonObject Complete(JsonObject content)
    {
        var (code, cursor) = CodeAndCursor(content);
        var result = session!.Complete(code, cursor);
        return new JsonObject
        {
            ["status"] = "ok",
            ["matches"] = new JsonArray(result.Matches.Select(m => (JsonNode?)m).ToArray()),
            ["cursor_start"] = CodePoints.FromUtf16(code, result.ReplaceStart),
            ["cursor_end"] = CodePoints.FromUtf16(code, result.ReplaceEnd),
            ["metadata"] = new JsonObject(),
        };
    }

    JsonObject Inspect(JsonObject content)
    {
        var (code, cursor) = CodeAndCursor(content);
        var result = session!.Inspect(code, cursor);
        return new JsonObject
        {
            ["status"] = "ok",
            ["found"] = result.Found,
            ["data"] = result.Found ? new JsonObject { ["text/plain"] = result.Text } : new JsonObject(),
            ["metadata"] = new JsonObject(),
        };
    }

    static JsonObject IsComplete(JsonObject content)
    {
        var code = content["code"]?.GetValue<string>() ?? "";
        if (!NotebookSession.IsCompleteSubmission(code)) return new JsonObject { ["status"] = "incomplete", ["indent"] = "" };
        var tree = CSharpSyntaxTree.ParseText(ReferenceDirectives.Extract(Magics.Strip(code)).Code, new CSharpParseOptions(LanguageVersion.Latest, kind: SourceCodeKind.Script));
        var invalid = tree.GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error);
        return new JsonObject { ["status"] = invalid ? "invalid" : "complete" };
    }

    void Reply(NetMQSocket socket, JupyterMessage request, string type, JsonObject content)
    {
        var reply = JupyterMessage.Create(type, content, request, sessionId, request.Identities);
        Send(socket, reply);
    }

    /// <summary>Sends on iopub from the calling thread. The poller never touches iopub (it only publishes), so a lock
    /// is all its sends need; going through the poller cost each message a wake-up of the poller thread (four or more per
    /// cell). iopub keeps its order; relative to the shell reply, which the poller sends, ZeroMQ gives no order between
    /// sockets anyway (a status idle may reach the client before the execute_reply, as with ipykernel's iopub thread).</summary>
    void Publish(string type, JsonObject content, JupyterMessage? parent)
    {
        var message = JupyterMessage.Create(type, content, parent, sessionId, [System.Text.Encoding.UTF8.GetBytes("kernel." + type)]);
        var frames = message.ToFrames(signer);
        lock (iopubGate)
        {
            if (iopubClosed) return;
            var wire = new NetMQMessage();
            foreach (var frame in frames) wire.Append(frame);
            iopub.SendMultipartMessage(wire);
        }
        if (KernelTimings.Enabled) KernelTimings.Mark("k.sent " + type + (content["execution_state"] is { } state ? " " + state : ""));
    }

    readonly Lock iopubGate = new();
    bool iopubClosed;

    void Send(NetMQSocket socket, JupyterMessage message)
    {
        var frames = message.ToFrames(signer);
        var sent = KernelTimings.Enabled ? "k.sent " + message.MessageType + (message.Content["execution_state"] is { } state ? " " + state : "") : null;
        outbound.Enqueue(() =>
        {
            var wire = new NetMQMessage();
            foreach (var frame in frames) wire.Append(frame);
            socket.SendMultipartMessage(wire);
            if (sent is not null) KernelTimings.Mark(sent);
        });
    }

    /// <summary>Releases the sockets.</summary>
    public void Dispose()
    {
        if (poller.IsRunning) poller.Stop();
        poller.Dispose();
        lock (iopubGate) iopubClosed = true;
        foreach (var socket in new NetMQSocket[] { shell, control, stdin, iopub, heartbeat }) socket.Dispose();
        outbound.Dispose();
        session?.Dispose();
        stopped.Dispose();
    }
}

/// <summary>Options of a <see cref="KernelServer"/>.</summary>
/// <param name="ExecutorCommand">How to start the cell executor child (<c>workbench kernel executor</c>); null runs cells
/// in the kernel process itself (a stack overflow or a background-thread exception then ends the kernel).</param>
/// <param name="ParentPid">The process whose death ends the kernel (ipykernel's parent poller): null takes
/// JPY_PARENT_PID (jupyter_client sets it) or else this process's parent at start; 0 disables the poller.</param>
public sealed record KernelServerOptions(IReadOnlyList<string>? ExecutorCommand = null, int? ParentPid = null);

/// <summary>Jupyter counts cursor positions in Unicode code points; .NET strings index UTF-16 units.</summary>
internal static class CodePoints
{
    public static int ToUtf16(string text, int codePoints)
    {
        var index = 0;
        for (var n = 0; n < codePoints && index < text.Length; n++)
            index += char.IsHighSurrogate(text[index]) && index + 1 < text.Length ? 2 : 1;
        return index;
    }

    public static int FromUtf16(string text, int utf16)
    {
        var count = 0;
        for (var i = 0; i < utf16 && i < text.Length; i++)
            if (!char.IsLowSurrogate(text[i])) count++;
        return count;
    }
}
