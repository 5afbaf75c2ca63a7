using System.Buffers;
using System.Collections.Concurrent;
using Workbench.Analytics.Explanation;

namespace Workbench.Experiments.Artifacts;

/// <summary>Writes narratives.json (per account-product: score, reasons for and against with values and sentences),
/// narratives.txt (the same as plain text), feature-importance.json, and explain-metrics.json.</summary>
public static class ExplanationArtifacts
{
    public const string NarrativesFile = "narratives.json", TextFile = "narratives.txt", ImportanceFile = "feature-importance.json", MetricsFile = "explain-metrics.json";

    static readonly UTF8Encoding Utf8 = new(false);

    /// <summary>How many bytes of a streamed narrative file are written before the OS is asked to start writing them to
    /// disk (<see cref="AtomicFile.Write(string, Action{Stream}, long)"/>): the files are 1.7 GB at 100,000 accounts, and
    /// without it their final fsync wrote all of that after the last chunk.</summary>
    internal const long WritebackEvery = 8 << 20;

    /// <summary>Writes the four files of an explanation held in memory; <c>steps</c> is told each file as its writing
    /// starts (for timings). narratives.json lists both models' narratives by account, product and target; narratives.txt
    /// the churn model's, then the upsell model's, each in the report's row order.</summary>
    public static IReadOnlyList<string> Write(ExplanationReport report, string outDir, IProgress<string>? steps = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        steps?.Report("explanation: writing narratives.json");
        Directory.CreateDirectory(outDir);
        var paths = Paths(outDir);
        var narratives = report.Churn.Narratives.Concat(report.Upsell.Narratives)
            .OrderBy(n => n.AccountId, StringComparer.Ordinal).ThenBy(n => n.ProductId, StringComparer.Ordinal).ThenBy(n => n.Target, StringComparer.Ordinal)
            .ToArray();
        AtomicFile.Write(paths[0], s => NarrativesJson.Write(s, narratives));
        steps?.Report("explanation: writing narratives.txt and the rest");
        AtomicFile.Write(paths[1], s =>
        {
            using var text = new StreamWriter(s, Utf8, 1 << 16, leaveOpen: true) { NewLine = "\n" };
            foreach (var n in report.Churn.Narratives.Concat(report.Upsell.Narratives)) text.WriteLine(n.ToText());
        });
        WriteTotals(report.Summary(), paths);
        return paths;
    }

    /// <summary>Writes the four files while <paramref name="explain"/> streams the narratives into them
    /// (<see cref="ExplanationStage.Stream"/> with <see cref="NarrativeFiles.Format"/> and <see cref="NarrativeFiles.Append"/>):
    /// the same bytes as <see cref="Write(ExplanationReport, string, IProgress{string}?)"/> for the same rows in account
    /// then product order, with one chunk of narratives in memory per thread instead of all of them. narratives.json and
    /// narratives.txt appear only once complete (and synced; their writeback to disk starts while they are streamed); the upsell half of narratives.txt waits in a temporary file meanwhile.</summary>
    internal static (ExplanationSummary Summary, IReadOnlyList<string> Files) WriteStreamed(string outDir, Func<NarrativeFiles, ExplanationSummary> explain,
        IProgress<string>? steps = null, long writebackEvery = WritebackEvery)
    {
        Directory.CreateDirectory(outDir);
        var paths = Paths(outDir);
        ExplanationSummary? summary = null;
        AtomicFile.Write(paths[0], json => AtomicFile.Write(paths[1], text =>
        {
            using var upsellText = new FileStream(Path.Combine(outDir, $".{TextFile}.upsell.{Guid.NewGuid():N}.tmp"), FileMode.CreateNew, FileAccess.ReadWrite,
                FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
            var files = new NarrativeFiles(json, text, upsellText);
            summary = explain(files);
            files.End();
            steps?.Report("explanation: narratives.txt's upsell half, flushing the files");
            upsellText.Position = 0;
            upsellText.CopyTo(text);
        }, writebackEvery), writebackEvery);
        steps?.Report("explanation: feature-importance.json and explain-metrics.json");
        WriteTotals(summary!, paths);
        return (summary!, paths);
    }

    static string[] Paths(string outDir) => new[] { NarrativesFile, TextFile, ImportanceFile, MetricsFile }.Select(f => Path.Combine(outDir, f)).ToArray();

    static void WriteTotals(ExplanationSummary summary, string[] paths)
    {
        Json.Write(paths[2], new { churn = summary.ChurnImportance, upsell = summary.UpsellImportance });
        var metrics = new Dictionary<string, object?>
        {
            ["rows_explained"] = summary.RowsExplained,
            ["as_of"] = summary.AsOf,
        };
        if (summary.DriverMatchTopDecile is double pooled)
        {
            metrics["driver_match_top_decile"] = pooled;
            metrics["churn_driver_match_top_decile"] = summary.ChurnFidelity!.Rate;
            metrics["upsell_driver_match_top_decile"] = summary.UpsellFidelity!.Rate;
            metrics["churn_top_concepts"] = summary.ChurnFidelity.TopConcepts;
            metrics["upsell_top_concepts"] = summary.UpsellFidelity.TopConcepts;
        }
        Json.Write(paths[3], metrics);
    }

    /// <summary>A chunk's bytes: its rows of narratives.json (both targets, by account, product and target) and of the two
    /// halves of narratives.txt.</summary>
    internal sealed record FormattedChunk(ArrayBufferWriter<byte> Json, ArrayBufferWriter<byte> ChurnText, ArrayBufferWriter<byte> UpsellText);

    /// <summary>The narrative files being streamed: <see cref="Format"/> turns a chunk into bytes on any thread,
    /// <see cref="Append"/> writes chunks in order. Buffers go back to a pool once written, so a run allocates a few
    /// chunks' worth of them, not one per chunk.</summary>
    internal sealed class NarrativeFiles(Stream json, Stream text, Stream upsellText)
    {
        readonly NarrativesJson.ArrayWriter _json = new(json);
        readonly ConcurrentBag<ArrayBufferWriter<byte>> _buffers = [];

        public FormattedChunk Format(ExplainedChunk chunk)
        {
            // narratives.json's order: account, product, then target; each row's two narratives are of the same account-product.
            bool churnFirst = chunk.Churn.Count == 0 || string.CompareOrdinal(chunk.Churn[0].Target, chunk.Upsell[0].Target) <= 0;
            IEnumerable<Narrative> Interleaved()
            {
                for (int k = 0; k < chunk.Rows.Count; k++)
                {
                    yield return churnFirst ? chunk.Churn[k] : chunk.Upsell[k];
                    yield return churnFirst ? chunk.Upsell[k] : chunk.Churn[k];
                }
            }
            var jsonBytes = Rent();
            NarrativesJson.WriteChunk(jsonBytes, Interleaved());
            return new FormattedChunk(jsonBytes, Text(chunk.Churn), Text(chunk.Upsell));
        }

        ArrayBufferWriter<byte> Text(IReadOnlyList<Narrative> narratives)
        {
            var bytes = Rent();
            var line = new StringBuilder(4096);
            foreach (var n in narratives)
            {
                n.AppendText(line.Clear()).Append('\n');
                foreach (var part in line.GetChunks()) Utf8.GetBytes(part.Span, bytes);
            }
            return bytes;
        }

        ArrayBufferWriter<byte> Rent()
        {
            if (!_buffers.TryTake(out var buffer)) buffer = new ArrayBufferWriter<byte>(1 << 20);
            buffer.ResetWrittenCount();
            return buffer;
        }

        public void Append(FormattedChunk chunk)
        {
            _json.Append(chunk.Json.WrittenSpan);
            text.Write(chunk.ChurnText.WrittenSpan);
            upsellText.Write(chunk.UpsellText.WrittenSpan);
            _buffers.Add(chunk.Json);
            _buffers.Add(chunk.ChurnText);
            _buffers.Add(chunk.UpsellText);
        }

        public void End() => _json.End();
    }
}
