namespace Workbench.Notebooks.Kernel;

/// <summary>Ends the kernel when the process that started it dies, as ipykernel's parent poller does: a client killed
/// with SIGKILL never sends shutdown_request, and a kernel left running would hold its ports and its memory. The parent
/// is JPY_PARENT_PID (jupyter_client sets it) or else this process's parent at start; once a second the poller checks
/// that it still exists and, when it was our direct parent, that we were not re-parented (to init or a subreaper).</summary>
internal sealed class ParentPoller : IDisposable
{
    static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    readonly int parentPid;
    readonly int startParent;
    readonly TextWriter log;
    readonly Action onParentDeath;
    readonly Timer timer;
    int fired;

    ParentPoller(int parentPid, TextWriter log, Action onParentDeath)
    {
        this.parentPid = parentPid;
        this.log = log;
        this.onParentDeath = onParentDeath;
        startParent = GetParentPid();
        timer = new Timer(_ => Poll(), null, Interval, Interval);
    }

    /// <summary>The pid to watch: <paramref name="configured"/> when given (0: none), else JPY_PARENT_PID, else the parent now.</summary>
    public static int ResolveParent(int? configured)
    {
        if (configured is { } c) return c;
        if (int.TryParse(Environment.GetEnvironmentVariable("JPY_PARENT_PID"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var fromEnv) && fromEnv > 1)
            return fromEnv;
        return Math.Max(0, GetParentPid());
    }

    /// <summary>Starts polling, or returns null when there is no parent to watch (pid 0 or 1: init never goes away).</summary>
    public static ParentPoller? Start(int? configured, TextWriter log, Action onParentDeath)
    {
        var pid = ResolveParent(configured);
        return pid > 1 ? new ParentPoller(pid, log, onParentDeath) : null;
    }

    void Poll()
    {
        var gone = !IsAlive(parentPid) || (parentPid == startParent && startParent > 1 && GetParentPid() != startParent);
        if (!gone || Interlocked.Exchange(ref fired, 1) == 1) return;
        log.WriteLine($"workbench kernel: the parent process {parentPid.ToString(CultureInfo.InvariantCulture)} is gone; shutting down");
        onParentDeath();
    }

    static bool IsAlive(int pid)
    {
        if (Directory.Exists("/proc/self")) return Directory.Exists("/proc/" + pid.ToString(CultureInfo.InvariantCulture));
        try { using var p = System.Diagnostics.Process.GetProcessById(pid); return !p.HasExited; }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }

    /// <summary>This process's parent pid from /proc/self/stat (Linux); -1 where there is no /proc.</summary>
    static int GetParentPid()
    {
        try { return ProcStat.ParentPid(File.ReadAllText("/proc/self/stat")) ?? -1; }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { return -1; }
    }

    public void Dispose() => timer.Dispose();
}
