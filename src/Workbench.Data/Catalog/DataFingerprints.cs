using System.Security.Cryptography;
using System.Text;

namespace Workbench.Data;

/// <summary>SHA-256 of every file of a dataset folder and one over all of them: what a run records so that
/// "same data" can be checked later without keeping a copy.</summary>
/// <param name="Directory">The folder fingerprinted (full path).</param>
/// <param name="Sha256">Hex SHA-256 over the sorted lines "relative/path\tfile-sha256\n" of every file.</param>
/// <param name="Files">Hex SHA-256 per file, keyed by its path relative to the folder with '/' separators, sorted ordinally.</param>
public sealed record DatasetFingerprint(string Directory, string Sha256, IReadOnlyDictionary<string, string> Files)
{
    /// <summary>Fingerprints every file under <paramref name="directory"/> (truth/ included), except the
    /// <c>rejects/</c> folder a lenient load writes and hidden files (temporary files of atomic writes).</summary>
    public static DatasetFingerprint Compute(string directory)
    {
        var full = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(full)) throw new WorkbenchException($"Dataset folder not found: {full}");
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in System.IO.Directory.EnumerateFiles(full, "*", SearchOption.AllDirectories))
        {
            var rel = Path.GetRelativePath(full, path).Replace('\\', '/');
            if (rel.StartsWith("rejects/", StringComparison.Ordinal) || rel.Split('/').Any(part => part.StartsWith('.'))) continue;
            using var stream = File.OpenRead(path);
            files[rel] = Convert.ToHexStringLower(SHA256.HashData(stream));
        }
        var manifest = string.Concat(files.Select(kv => kv.Key + "\t" + kv.Value + "\n"));
        var overall = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(manifest)));
        return new DatasetFingerprint(full, overall, new Dictionary<string, string>(files, StringComparer.Ordinal));
    }
}
