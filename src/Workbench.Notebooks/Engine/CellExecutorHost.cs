using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Workbench.Notebooks;

/// <summary>The child side of a <see cref="ChildProcessSession"/> (<c>workbench kernel executor</c>): runs cells in a
/// <see cref="NotebookSession"/> and speaks the <see cref="CellWire"/> line protocol on stdin/stdout. Anything written
/// to Console.Out outside a cell goes to stderr, so nothing can corrupt the protocol. Ends when stdin closes (the
/// parent is gone) or on <c>shutdown</c>.</summary>
public static class CellExecutorHost
{
    /// <summary>Serves the parent until stdin closes; returns the exit code.</summary>
    public static int Run()
    {
        // The runtime read the JIT setting the parent chose at start; processes a cell starts get the user's environment.
        ChildProcessSession.ForgetJitSettingChosenForThisProcess();
        var protocolOut = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = false, NewLine = "\n" };
        var protocolIn = new StreamReader(Console.OpenStandardInput(), new UTF8Encoding(false));
        Console.SetOut(Console.Error);
        Console.SetIn(TextReader.Null);
        var writeLock = new object();
        void Send(JsonObject message)
        {
            var line = message.ToJsonString();
            lock (writeLock)
            {
                protocolOut.WriteLine(line);
                protocolOut.Flush();
            }
        }
        NotebookSession? running = null; // set once created: names the cell lines of the thread's stack
        // Runs on the thread that threw, before .NET ends the process: tell the parent what happened.
        AppDomain.CurrentDomain.UnhandledException += (_, e) =>
        {
            var ex = e.ExceptionObject as Exception;
            try
            {
                Send(new JsonObject
                {
                    ["op"] = "fatal",
                    ["name"] = CellWire.Clean(ex?.GetType().FullName ?? "Exception"),
                    ["message"] = CellWire.Clean(ex?.Message ?? "an unhandled exception"),
                    ["thread"] = CellWire.Clean(Thread.CurrentThread.Name ?? $"managed thread {Thread.CurrentThread.ManagedThreadId}"),
                    ["stack"] = CellWire.Clean(ex is null ? "" : running?.StackTraceText(ex) ?? ex.ToString()),
                });
            }
            catch (Exception) { } // the pipe is gone: the parent sees the exit anyway
        };
        // Jupyter signals the kernel's whole process group on interrupt; the parent forwards it as an "interrupt" line.
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => context.Cancel = true);

        var initLine = protocolIn.ReadLine();
        if (initLine is null) return 0;
        var init = JsonNode.Parse(initLine)!.AsObject();
        using var session = NotebookSession.Create(CellWire.ReadOptions(init));
        running = session;
        var work = new QuietQueue<JsonObject>();
        var inputs = new ConcurrentDictionary<long, TaskCompletionSource<string?>>();
        var worker = new Thread(() =>
        {
            // Load the references and JIT the compiler before saying ready: the first real cell is then fast. The main
            // thread reads stdin meanwhile, so a parent that dies during the warm-up (seconds: this process compiles every
            // method optimized) ends this process at once instead of after it.
            var warmUp = session.ExecuteAsync("0", new CellRunOptions(CellName: "warm-up")).GetAwaiter().GetResult();
            if (warmUp.Status != CellStatus.Ok) Console.Error.WriteLine($"workbench executor: warm-up failed: {warmUp.Error?.Message}");
            Send(new JsonObject { ["op"] = "ready", ["pid"] = Environment.ProcessId });
            foreach (var request in work.GetConsumingEnumerable())
            {
                KernelTimings.Mark("c.worker");
                try { Handle(session, request, Send, inputs); }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // A malformed request: answer it so the parent never waits forever.
                    Console.Error.WriteLine($"workbench executor: request failed: {ex}");
                    Send(new JsonObject
                    {
                        ["op"] = "done", ["id"] = CellWire.Id(request), ["status"] = nameof(CellStatus.Error), ["duration_ms"] = 0,
                        ["outputs"] = new JsonArray(CellWire.Output(new ErrorOutput(ex.GetType().Name, ex.Message, [ex.Message]))),
                    });
                }
            }
        }) { IsBackground = true, Name = "workbench-executor" };
        worker.Start();

        string? line;
        while ((line = protocolIn.ReadLine()) is not null)
        {
            KernelTimings.Mark("c.read");
            JsonObject request;
            try { request = JsonNode.Parse(line)!.AsObject(); }
            catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException or NullReferenceException)
            {
                Console.Error.WriteLine($"workbench executor: ignored a malformed line: {ex.Message}");
                continue;
            }
            var op = request["op"]?.GetValue<string>();
            if (op == "interrupt") session.Interrupt();
            else if (op == "input_reply")
            {
                if (inputs.TryRemove(CellWire.Id(request), out var answer)) answer.TrySetResult(request["value"]?.GetValue<string>());
            }
            else if (op == "shutdown") break;
            else work.Add(request);
        }
        work.CompleteAdding();
        session.Interrupt();
        // A cell may still hold a foreground thread: end the process rather than wait for it.
        Environment.Exit(0);
        return 0;
    }

    static void Handle(NotebookSession session, JsonObject request, Action<JsonObject> send, ConcurrentDictionary<long, TaskCompletionSource<string?>> inputs)
    {
        var id = CellWire.Id(request);
        switch (request["op"]?.GetValue<string>())
        {
            case "execute":
            {
                var code = CellWire.Text(request, "code");
                var cell = request["cell"]?.GetValue<string>();
                var timeout = CellWire.FromMillis(request["timeout_ms"]);
                Func<InputRequest, string?>? onInput = request["allow_stdin"]?.GetValue<bool>() == true ? ask =>
                {
                    // Runs on the cell's thread: wait for the parent's answer, or for an interrupt of the cell.
                    var answer = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
                    inputs[id] = answer;
                    send(new JsonObject { ["op"] = "input_request", ["id"] = id, ["prompt"] = CellWire.Clean(ask.Prompt), ["password"] = ask.Password });
                    try { return answer.Task.Wait(Timeout.Infinite, CellInterrupt.Token) ? answer.Task.Result : null; }
                    finally { inputs.TryRemove(id, out _); }
                } : null;
                var result = session.Execute(code, new CellRunOptions(cell, timeout, output =>
                    send(new JsonObject { ["op"] = "output", ["id"] = id, ["output"] = CellWire.Output(output) }), onInput));
                KernelTimings.Mark("c.returned");
                send(new JsonObject
                {
                    ["op"] = "done", ["id"] = id, ["status"] = result.Status.ToString(),
                    ["duration_ms"] = result.Duration.TotalMilliseconds,
                    ["outputs"] = new JsonArray(result.Outputs.Select(o => (JsonNode?)CellWire.Output(o)).ToArray()),
                });
                KernelTimings.Mark("c.done-sent");
                KernelTimings.Flush();
                break;
            }
            case "complete":
            {
                var c = session.Complete(CellWire.Text(request, "code"), request["cursor"]?.GetValue<int>() ?? 0);
                send(new JsonObject
                {
                    ["op"] = "completed", ["id"] = id, ["start"] = c.ReplaceStart, ["end"] = c.ReplaceEnd,
                    ["matches"] = new JsonArray(c.Matches.Select(m => (JsonNode?)JsonValue.Create(CellWire.Clean(m))).ToArray()),
                });
                break;
            }
            case "inspect":
            {
                var i = session.Inspect(CellWire.Text(request, "code"), request["cursor"]?.GetValue<int>() ?? 0);
                send(new JsonObject { ["op"] = "inspected", ["id"] = id, ["found"] = i.Found, ["text"] = CellWire.Clean(i.Text) });
                break;
            }
            default:
                Console.Error.WriteLine($"workbench executor: ignored request '{request["op"]}'");
                break;
        }
    }
}
