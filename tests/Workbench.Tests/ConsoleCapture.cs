using System.Runtime.CompilerServices;
using System.Text;

namespace Workbench.Tests;

/// <summary>
/// Captures what the code under test writes to Console.Out / Console.Error, for this test only. Console.Out and
/// Console.Error are process-wide and tests run in parallel, so a test must not swap them: two tests that each did
/// <c>old = Console.Out; Console.SetOut(mine); ...; Console.SetOut(old)</c> could interleave (A saves X, B saves A's
/// writer, A restores X, B restores A's writer) and leave a finished test's StringWriter installed for good, which also
/// cuts the notebook engine's console router out of Console.Out (a cell's <c>Console.Write</c> would then go to that
/// writer). Instead, one router per stream is installed
/// when the test assembly loads, before any test runs, and a capture is scoped to the async flow that started it
/// (threads and tasks it starts inherit it); every other writer goes where it went before.
/// </summary>
internal sealed class ConsoleCapture : IDisposable
{
    static readonly AsyncLocal<TextWriter?> CurrentOut = new();
    static readonly AsyncLocal<TextWriter?> CurrentError = new();

    [ModuleInitializer]
    internal static void Install()
    {
        Console.SetOut(new FlowRouter(Console.Out, CurrentOut));
        Console.SetError(new FlowRouter(Console.Error, CurrentError));
    }

    readonly StringWriter stdout = new(), stderr = new();
    readonly TextWriter? previousOut, previousError;

    ConsoleCapture()
    {
        (previousOut, previousError) = (CurrentOut.Value, CurrentError.Value);
        (CurrentOut.Value, CurrentError.Value) = (stdout, stderr);
    }

    /// <summary>Starts capturing this flow's console writes (call from the test's own flow; dispose to stop).</summary>
    public static ConsoleCapture Start() => new();

    /// <summary>What was written to Console.Out so far.</summary>
    public string Out => stdout.ToString();

    /// <summary>What was written to Console.Error so far.</summary>
    public string Err => stderr.ToString();

    public void Dispose() => (CurrentOut.Value, CurrentError.Value) = (previousOut, previousError);

    /// <summary>Writes to the flow's capture when there is one, else to the writer it replaced.</summary>
    sealed class FlowRouter(TextWriter original, AsyncLocal<TextWriter?> current) : TextWriter
    {
        TextWriter Target => current.Value ?? original;
        public override Encoding Encoding => original.Encoding;
        public override void Write(char value) => Target.Write(value);
        public override void Write(string? value) => Target.Write(value);
        public override void Write(char[] buffer, int index, int count) => Target.Write(buffer, index, count);
        public override void Write(ReadOnlySpan<char> buffer) => Target.Write(buffer);
        public override void WriteLine(string? value) => Target.WriteLine(value);
        public override void WriteLine(ReadOnlySpan<char> buffer) => Target.WriteLine(buffer);
        public override void Flush() => Target.Flush();
    }
}
