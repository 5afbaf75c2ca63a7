using System.Security.Cryptography;

namespace Workbench.Experiments.Runs;

/// <summary>What the store knows about a run folder: the record's status, or why it has none.</summary>
public enum RunState
{
    /// <summary>Running, and its process still holds the run's lock.</summary>
    Running,
    Succeeded,
    Failed,
    /// <summary>The record says Running but nobody holds the lock: the process died.</summary>
    Unfinished,
    /// <summary>The run folder has no readable run.json (see <see cref="RunEntry.Problem"/>).</summary>
    Corrupt,
}

/// <summary>One run folder as listed by <see cref="RunStore.List"/>.</summary>
public sealed record RunEntry(string Id, RunState State, RunRecord? Record, string? Problem)
{
    public string StateText => State.ToString().ToLowerInvariant();
}

/// <summary>
/// The run store: one folder per run under <see cref="StoreLayout.RunsDirectory"/>, plain files only (no index to
/// fall out of step). Run ids are the UTC start time (sortable) plus a random suffix; a run's folder is claimed by
/// creating its lock file exclusively, so two processes starting in the same millisecond still get distinct ids.
/// The running process keeps the lock file open with <see cref="FileShare.None"/>; when the process dies the lock
/// goes with it, which is how a crashed run is told from a running one.
/// </summary>
public sealed class RunStore
{
    public const string LockFile = "run.lock";

    public RunStore(StoreLayout layout) => Layout = layout ?? throw new ArgumentNullException(nameof(layout));
    public RunStore(string root) : this(new StoreLayout(root)) { }

    /// <summary>The store at WORKBENCH_STORE or ./.workbench.</summary>
    public static RunStore Default() => new(StoreLayout.Default());

    public StoreLayout Layout { get; }

    /// <summary>Claims a new run folder and its lock. Dispose the handle when the run ends (it releases the lock).</summary>
    public RunHandle Begin(DateTimeOffset? now = null)
    {
        Directory.CreateDirectory(Layout.RunsDirectory);
        for (int attempt = 0; attempt < 100; attempt++)
        {
            var start = (now ?? DateTimeOffset.UtcNow).ToUniversalTime();
            var id = NewId(start);
            var dir = Layout.RunDirectory(id);
            Directory.CreateDirectory(dir);
            FileStream lockStream;
            try
            {
                // CreateNew is the atomic claim: if another process picked the same id, this fails and we draw again.
                lockStream = new FileStream(Path.Combine(dir, LockFile), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) { continue; }
            lockStream.Write(System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n"));
            lockStream.Flush(true);
            return new RunHandle(this, id, start, lockStream);
        }
        throw new WorkbenchException($"Could not claim a run folder under {Layout.RunsDirectory} after 100 attempts.");
    }

    /// <summary>yyyyMMdd-HHmmss-fff-xxxxxxxx: sorts by start time; 32 random bits keep ids unique across processes.</summary>
    static string NewId(DateTimeOffset start) =>
        start.UtcDateTime.ToString("yyyyMMdd-HHmmss-fff", CultureInfo.InvariantCulture) + "-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

    /// <summary>Every run folder, oldest first. Nothing is skipped: a folder without a readable record is listed as corrupt with the reason.</summary>
    public IReadOnlyList<RunEntry> List()
    {
        if (!Directory.Exists(Layout.RunsDirectory)) return [];
        return Directory.GetDirectories(Layout.RunsDirectory).Select(Path.GetFileName).OfType<string>()
            .Where(n => !n.StartsWith('.')).Order(StringComparer.Ordinal).Select(Entry).ToList();
    }

    /// <summary>The entry of one run folder (see <see cref="List"/>).</summary>
    public RunEntry Entry(string id)
    {
        var path = Layout.RunRecordPath(id);
        if (!File.Exists(path))
            return IsLocked(id) ? new RunEntry(id, RunState.Running, null, "starting: no run.json yet")
                // Killed between claiming the folder and writing the first record: the run did not finish, nothing is broken.
                : new RunEntry(id, RunState.Unfinished, null, "no run.json in the run folder: the run's process died before writing its record");
        RunRecord record;
        try { record = RunRecord.Read(path); }
        catch (Exception ex) when (ex is WorkbenchException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return new RunEntry(id, RunState.Corrupt, null, ex.Message);
        }
        if (record.Id != id) return new RunEntry(id, RunState.Corrupt, record, $"run.json names run '{record.Id}', not its folder '{id}'");
        return record.Status switch
        {
            RunStatus.Succeeded => new RunEntry(id, RunState.Succeeded, record, null),
            RunStatus.Failed => new RunEntry(id, RunState.Failed, record, record.Error),
            _ => IsLocked(id) ? new RunEntry(id, RunState.Running, record, null)
                : new RunEntry(id, RunState.Unfinished, record, "the record says running but no process holds its lock (the run's process died)"),
        };
    }

    /// <summary>Whether a live process holds the run's lock.</summary>
    public bool IsLocked(string id)
    {
        var path = Path.Combine(Layout.RunDirectory(id), LockFile);
        if (!File.Exists(path)) return false;
        try
        {
            using var probe = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.None);
            return false;
        }
        catch (FileNotFoundException) { return false; }
        catch (IOException) { return true; }
    }

    /// <summary>Finds a run by id or unique id prefix ("latest" is the newest run). An unknown id throws with the closest ids.</summary>
    public RunEntry Find(string idOrPrefix)
    {
        var ids = Directory.Exists(Layout.RunsDirectory)
            ? Directory.GetDirectories(Layout.RunsDirectory).Select(Path.GetFileName).OfType<string>().Where(n => !n.StartsWith('.')).Order(StringComparer.Ordinal).ToList()
            : [];
        if (idOrPrefix == "latest" && ids.Count > 0) return Entry(ids[^1]);
        if (ids.Contains(idOrPrefix)) return Entry(idOrPrefix);
        var prefixed = ids.Where(i => i.StartsWith(idOrPrefix, StringComparison.Ordinal)).ToList();
        if (prefixed.Count == 1) return Entry(prefixed[0]);
        if (prefixed.Count > 1)
            throw new WorkbenchException($"Run id '{idOrPrefix}' is ambiguous in {Layout.RunsDirectory}; it starts {prefixed.Count} runs: {string.Join(", ", prefixed.Take(10))}.");
        var near = LocatedJson.Closest(idOrPrefix, ids, 5);
        if (near.Count == 0) near = ids.OrderBy(i => LocatedJson.EditDistance(idOrPrefix, i)).Take(5).ToList();
        throw new WorkbenchException($"No run '{idOrPrefix}' in {Layout.RunsDirectory}." +
            (ids.Count == 0 ? " The store has no runs." : $" Nearest ids: {string.Join(", ", near)}."));
    }
}

/// <summary>A claimed run: its id, folder and lock. <see cref="Write"/> saves run.json atomically; disposing releases the lock.</summary>
public sealed class RunHandle : IDisposable
{
    readonly RunStore _store;
    FileStream? _lock;

    internal RunHandle(RunStore store, string id, DateTimeOffset startedUtc, FileStream lockStream)
    {
        _store = store; Id = id; StartedUtc = startedUtc; _lock = lockStream;
    }

    public string Id { get; }
    public DateTimeOffset StartedUtc { get; }
    public string Directory => _store.Layout.RunDirectory(Id);

    /// <summary>Writes run.json atomically (a reader sees the old record or the new one, never half of one).</summary>
    public void Write(RunRecord record)
    {
        if (record.Id != Id) throw new ArgumentException($"The record is for run '{record.Id}', this handle for '{Id}'.", nameof(record));
        record.Write(_store.Layout.RunRecordPath(Id));
    }

    /// <summary>Releases the lock and removes the lock file (the record's status tells the rest).</summary>
    public void Dispose()
    {
        if (_lock is null) return;
        var path = _lock.Name;
        _lock.Dispose();
        _lock = null;
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
