using System.Diagnostics;
using Workbench.Notebooks;

namespace Workbench.Tests.Notebooks;

/// <summary>How the kernel ends its executor child: the child and what it started are killed outright (never left stopped,
/// as .NET's whole-tree kill leaves them when its caller dies between the stop and the kill).</summary>
public sealed class ExecutorKillTests
{
    [Fact]
    public void Killing_an_executor_tree_ends_the_root_and_every_descendant_and_leaves_none_stopped()
    {
        if (!OperatingSystem.IsLinux()) return; // the /proc walk is Linux's; elsewhere .NET's own tree kill runs
        // A root with a child that has a child of its own, like an executor with a browser and its helper.
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardInput = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("sh -c 'sleep 300 & wait' & sleep 300 & wait");
        using var root = Process.Start(start)!;
        List<int> descendants = [];
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (descendants.Count < 3 && DateTime.UtcNow < deadline) { Thread.Sleep(50); descendants = ChildProcessSession.Descendants(root.Id); }
        Assert.Equal(3, descendants.Count); // sh (with its sleep) and the other sleep
        Assert.DoesNotContain(root.Id, descendants);

        ChildProcessSession.KillTree(root);
        Assert.True(root.WaitForExit(10_000));
        deadline = DateTime.UtcNow.AddSeconds(10);
        while (descendants.Any(Alive) && DateTime.UtcNow < deadline) Thread.Sleep(50);
        Assert.All(descendants, pid => Assert.False(Alive(pid), $"process {pid} is still there, state {State(pid)}"));

        // A root that has already ended: nothing thrown.
        ChildProcessSession.KillTree(root);
    }

    [Fact]
    public void Proc_stat_fields_are_read_after_the_last_parenthesis_of_the_command_name()
    {
        const string stat = "4242 (odd ) (name) T 17 4242 4242 0 -1 4194560";
        Assert.Equal('T', ProcStat.State(stat));
        Assert.Equal(17, ProcStat.ParentPid(stat));
        Assert.Null(ProcStat.ParentPid("garbage"));
        Assert.Null(ProcStat.State(""));
    }

    /// <summary>Running, sleeping or stopped (a zombie, dead and waiting for its parent to reap it, counts as ended).</summary>
    static bool Alive(int pid) => State(pid) is { } s && s != 'Z' && s != 'X';

    static char? State(int pid)
    {
        try { return ProcStat.State(File.ReadAllText($"/proc/{pid}/stat")); }
        catch (IOException) { return null; }
    }
}
