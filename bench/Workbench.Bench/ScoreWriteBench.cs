using System.Diagnostics;
using System.Security.Cryptography;
using Workbench.Experiments.Runs;
using Workbench.Experiments.Scoring;
using Workbench.Reporting.Book;
using static Workbench.Bench.BenchCommon;

namespace Workbench.Bench;

/// <summary>The writing stage of <c>workbench score</c> file kind by file kind: the data is scored once (written to OUT), then
/// book.json, book.csv, book-products.csv and the rep pages are rendered again and again on one thread into a hashing sink
/// (no disk), each timed by wall, thread CPU and bytes allocated, with a sha256 of the bytes (the same across builds when the
/// output is).
///   Workbench.Bench score-write STORE MODEL DATA OUT [REPEATS]</summary>
static class ScoreWriteBench
{
    public static int Run(string[] args)
    {
        var store = new StoreLayout(args[0]);
        string model = args[1], data = args[2], outDir = args[3];
        int repeats = args.Length > 4 ? int.Parse(args[4], Inv) : 3;
        var scored = BatchScoring.Run(store, model, data, outDir);
        var result = scored.Result;
        var narratives = Workbench.Experiments.Promotion.ModelRegistry.Resolve(store, model) is var dir
            ? Workbench.Experiments.Artifacts.RankingArtifacts.ReadModel(dir).Options.Explanation : new();
        var pages = new BookPageOptions();
        var writers = BookReport.PageWriters(result, pages).Where(p => p.File.StartsWith("rep-", StringComparison.Ordinal)).ToList();
        var kinds = new (string Name, Action<Stream> Write)[]
        {
            ("book.json", s => BookFiles.WriteJson(result, s)),
            ("book.csv", s => { using var w = new StreamWriter(s, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true); BookFiles.WriteCsv(result, narratives, w); }),
            ("book-products.csv", s => { using var w = new StreamWriter(s, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true); BookFiles.WriteProductsCsv(result, w); }),
            ("rep pages", s => { foreach (var (_, write) in writers) write(s); }),
            // book.json into a file of OUT (the kernel's copy into the page cache counted too), then flushed to disk.
            ("book.json to disk", s =>
            {
                var path = Path.Combine(outDir, "book.json.bench");
                using (var fs = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
                {
                    BookFiles.WriteJson(result, fs);
                    fs.Flush(flushToDisk: true);
                }
                File.Delete(path);
            }),
        };
        for (int r = 0; r < repeats; r++)
            foreach (var (name, write) in kinds)
            {
                using var sink = new HashingSink();
                long alloc = GC.GetAllocatedBytesForCurrentThread();
                var cpu = ThreadCpu();
                var sw = Stopwatch.StartNew();
                write(sink);
                double wall = sw.Elapsed.TotalSeconds, used = ThreadCpu() - cpu;
                long allocated = GC.GetAllocatedBytesForCurrentThread() - alloc;
                Console.WriteLine(string.Create(Inv, $"{name,-18} wall {wall:F3} s, thread cpu {used:F3} s, allocated {allocated / 1e6:F1} MB, {sink.Length / 1e6:F1} MB, sha256 {sink.Hash()[..16]}"));
            }
        return 0;
    }

    /// <summary>This thread's CPU seconds (Linux: /proc/thread-self/stat utime + stime, in clock ticks of 1/100 s).</summary>
    static double ThreadCpu()
    {
        var stat = File.ReadAllText("/proc/thread-self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], Inv) + long.Parse(fields[12], Inv)) / 100.0;
    }

    sealed class HashingSink : Stream
    {
        readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long _length;
        public string Hash() => Convert.ToHexStringLower(_hash.GetHashAndReset());
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _length;
        public override long Position { get => _length; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override void Write(ReadOnlySpan<byte> buffer) { _hash.AppendData(buffer); _length += buffer.Length; }
        public override void WriteByte(byte value) => Write([value]);
        protected override void Dispose(bool disposing) { if (disposing) _hash.Dispose(); base.Dispose(disposing); }
    }
}
