namespace Workbench.Notebooks;

/// <summary>Collects the outputs of the cell being run: console writes (routed here through an AsyncLocal,
/// so concurrent sessions do not mix), display calls and the final result.</summary>
internal sealed class CellContext(DisplayFormatter formatter, Action<CellOutput>? onOutput, Func<InputRequest, string?>? onInput = null)
{
    static readonly AsyncLocal<CellContext?> CurrentContext = new();
    public static CellContext? Current { get => CurrentContext.Value; set => CurrentContext.Value = value; }

    readonly object gate = new();
    readonly List<CellOutput> outputs = [];
    readonly StringBuilder stdout = new();
    readonly StringBuilder stderr = new();
    bool closed;
    long streamChars, droppedChars;

    /// <summary>Most characters of stream text one cell keeps (stdout and stderr together); the rest is dropped and
    /// a notice says how much. A cell printing without end must not exhaust memory or make the notebook unreadable.</summary>
    public const int MaxStreamChars = 1_000_000;

    public void Write(string stream, ReadOnlySpan<char> text)
    {
        lock (gate)
        {
            if (closed) return;
            if (streamChars + text.Length > MaxStreamChars)
            {
                int keep = (int)Math.Max(0, MaxStreamChars - streamChars);
                droppedChars += text.Length - keep;
                text = text[..keep];
                if (keep == 0) return;
            }
            streamChars += text.Length;
            var buffer = stream == "stderr" ? stderr : stdout;
            int before = buffer.Length;
            buffer.Append(text);
            // Flush whole lines as they come so a kernel client sees progress; the rest waits for more text. Only the
            // new text is searched, so writing is linear in the output.
            int lastNewline = text.LastIndexOf('\n');
            if (lastNewline >= 0) FlushLocked(stream, buffer, before + lastNewline + 1);
        }
    }

    public void Display(object? value) => Add(new DisplayOutput(formatter.Format(value), IsResult: false));

    public void Display(object? value, string displayId, bool update) =>
        Add(new DisplayOutput(formatter.Format(value), IsResult: false, displayId, update));

    /// <summary>Asks the client for a line of input (Console.ReadLine in a cell); null when the client allows no stdin.</summary>
    public string? ReadInput(string prompt, bool password)
    {
        if (onInput is null) return null;
        lock (gate)
        {
            FlushLocked("stdout", stdout, stdout.Length);
            FlushLocked("stderr", stderr, stderr.Length);
        }
        return onInput(new InputRequest(prompt, password));
    }

    public void Add(CellOutput output)
    {
        lock (gate)
        {
            if (closed) return;
            FlushLocked("stdout", stdout, stdout.Length);
            FlushLocked("stderr", stderr, stderr.Length);
            if (output is DisplayOutput { IsUpdate: true, DisplayId: { } id } update)
            {
                // The notebook keeps the latest content in place of the earlier display (as nbclient does); the client
                // gets the update message.
                var at = outputs.FindLastIndex(o => o is DisplayOutput d && d.DisplayId == id);
                if (at >= 0) outputs[at] = update with { IsUpdate = false };
                onOutput?.Invoke(output);
                return;
            }
            Emit(output);
        }
    }

    /// <summary>Flushes pending text and stops accepting output (an abandoned cell thread may still write).</summary>
    public IReadOnlyList<CellOutput> Close()
    {
        lock (gate)
        {
            if (!closed)
            {
                FlushLocked("stdout", stdout, stdout.Length);
                FlushLocked("stderr", stderr, stderr.Length);
                if (droppedChars > 0)
                    Emit(new StreamOutput("stderr", string.Create(System.Globalization.CultureInfo.InvariantCulture,
                        $"\n[output truncated: the cell wrote more than {MaxStreamChars:N0} characters; {droppedChars:N0} more were not kept]\n")));
                closed = true;
            }
            return MergeStreams(outputs);
        }
    }

    void FlushLocked(string stream, StringBuilder buffer, int length)
    {
        if (length == 0) return;
        var text = buffer.ToString(0, length);
        buffer.Remove(0, length);
        Emit(new StreamOutput(stream, text));
    }

    void Emit(CellOutput output)
    {
        outputs.Add(output);
        onOutput?.Invoke(output);
    }

    /// <summary>Joins consecutive pieces of the same stream into one output, in linear time (one builder per run).</summary>
    static List<CellOutput> MergeStreams(List<CellOutput> outputs)
    {
        var merged = new List<CellOutput>(outputs.Count);
        StringBuilder? run = null;
        string? runName = null;
        void EndRun()
        {
            if (run is not null) merged.Add(new StreamOutput(runName!, run.ToString()));
            run = null; runName = null;
        }
        foreach (var output in outputs)
        {
            if (output is StreamOutput s)
            {
                if (run is not null && runName != s.Name) EndRun();
                run ??= new StringBuilder();
                runName = s.Name;
                run.Append(s.Text);
            }
            else
            {
                EndRun();
                merged.Add(output);
            }
        }
        EndRun();
        return merged;
    }
}

/// <summary>Installed once as Console.Out / Console.Error: text written inside a cell goes to that cell,
/// anything else (the kernel's own logging) to the original writer.</summary>
internal sealed class ConsoleRouter(string stream, TextWriter original) : TextWriter
{
    static readonly Lock InstallGate = new();
    static InputRouter? input;
    // Console.In right after the input router went in (.NET wraps it in a synchronized reader); null until installed.
    static volatile TextReader? installedIn;

    /// <summary>Reads outside a cell see an empty stdin (the process's stdin is a protocol channel or nobody's terminal);
    /// cells keep asking their client. Under the install lock, so a session starting meanwhile cannot lose its router.</summary>
    public static void DetachStdin()
    {
        lock (InstallGate)
        {
            if (input is not null) input.Original = TextReader.Null;
            else Console.SetIn(TextReader.Null);
        }
    }

    /// <summary>Installs the routers once. A second session starting meanwhile waits until they are in place (returning
    /// early let its first cell read the process's stdin instead of asking its client).</summary>
    /// <remarks>Also puts the input router back when something replaced Console.In since: setting
    /// <c>Console.InputEncoding</c> (Microsoft.Playwright does) makes .NET drop Console.In and open a new reader over stdin,
    /// after which a cell's Console.ReadLine read the process's stdin instead of asking its client.</remarks>
    public static void EnsureInstalled()
    {
        if (installedIn is not null && ReferenceEquals(Console.In, installedIn)) return;
        lock (InstallGate)
        {
            if (installedIn is null) Install();
            else if (!ReferenceEquals(Console.In, installedIn))
            {
                Console.SetIn(input!);
                installedIn = Console.In;
            }
        }
    }

    static void Install()
    {
        var originalError = Console.Error;
        Console.SetOut(new ConsoleRouter("stdout", Console.Out));
        Console.SetError(new ConsoleRouter("stderr", Console.Error));
        input = new InputRouter(Console.In);
        Console.SetIn(input);
        // An exception on a thread a cell started ends the process (.NET allows no recovery): at least say so, and why,
        // on the process's own stderr, instead of dying silently.
        AppDomain.CurrentDomain.UnhandledException += (_, e) =>
        {
            var ex = e.ExceptionObject as Exception;
            var fromCell = CellContext.Current is not null ? " started by a notebook cell" : "";
            try
            {
                originalError.WriteLine($"workbench: fatal: a thread{fromCell} threw {ex?.GetType().FullName ?? "an exception"}: {ex?.Message}. " +
                    ".NET ends the process on an unhandled exception on any thread; the session's state (variables, references) is lost. " +
                    "Catch exceptions inside threads and tasks a cell starts.");
                originalError.Flush();
            }
            catch (IOException) { }
        };
        installedIn = Console.In; // last: sessions that find it set skip the lock
    }

    public override Encoding Encoding => original.Encoding;

    public override void Write(char value)
    {
        if (CellContext.Current is { } cell) cell.Write(stream, [value]);
        else original.Write(value);
    }

    public override void Write(string? value)
    {
        if (value is null) return;
        if (CellContext.Current is { } cell) cell.Write(stream, value);
        else original.Write(value);
    }

    public override void Write(char[] buffer, int index, int count)
    {
        if (CellContext.Current is { } cell) cell.Write(stream, buffer.AsSpan(index, count));
        else original.Write(buffer, index, count);
    }

    public override void WriteLine(string? value)
    {
        Write(value);
        Write(CoreNewLine, 0, CoreNewLine.Length);
    }

    public override void Flush()
    {
        if (CellContext.Current is null) original.Flush();
    }
}

/// <summary>Installed once as Console.In: Console.ReadLine inside a cell asks the cell's client for a line (the kernel
/// sends an input_request when the client allows stdin) and returns null when nobody can answer; outside a cell it reads
/// the original reader. Character reads (Read, Peek) inside a cell see an empty stdin.</summary>
internal sealed class InputRouter(TextReader original) : TextReader
{
    /// <summary>Where reads outside a cell go.</summary>
    public TextReader Original { get; set; } = original;

    public override string? ReadLine() => CellContext.Current is { } cell ? cell.ReadInput("", password: false) : Original.ReadLine();

    public override int Read() => CellContext.Current is null ? Original.Read() : -1;

    public override int Peek() => CellContext.Current is null ? Original.Peek() : -1;

    public override string ReadToEnd() => CellContext.Current is null ? Original.ReadToEnd() : "";
}
