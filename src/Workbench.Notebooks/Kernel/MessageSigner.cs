using System.Security.Cryptography;

namespace Workbench.Notebooks.Kernel;

/// <summary>HMAC-SHA256 over the four JSON parts of a Jupyter message (header, parent header, metadata,
/// content), hex encoded. Verification compares in constant time. An empty key disables signing, as the
/// protocol specifies.</summary>
public sealed class MessageSigner
{
    readonly byte[] key;

    /// <summary>A signer for the connection file's key.</summary>
    public MessageSigner(string key)
    {
        this.key = Encoding.UTF8.GetBytes(key ?? "");
        hmacs = new ThreadLocal<IncrementalHash>(() => IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, this.key));
    }

    /// <summary>False when the connection file gave no key (messages are then neither signed nor checked).</summary>
    public bool Enabled => key.Length > 0;

    /// <summary>The lowercase hex signature of the parts, or "" when signing is disabled.</summary>
    public string Sign(IReadOnlyList<byte[]> parts) => Enabled ? Convert.ToHexStringLower(Compute(parts)) : "";

    /// <summary>True when <paramref name="signature"/> is the signature of the parts. A missing, malformed or
    /// forged signature is false; with signing disabled every message passes.</summary>
    public bool Verify(string? signature, IReadOnlyList<byte[]> parts)
    {
        if (!Enabled) return true;
        if (string.IsNullOrEmpty(signature) || signature.Length != 64) return false;
        byte[] given;
        try { given = Convert.FromHexString(signature); }
        catch (FormatException) { return false; }
        return CryptographicOperations.FixedTimeEquals(given, Compute(parts));
    }

    // One HMAC kept per thread (the kernel signs on its poller, executor and child-reader threads): creating one per
    // message set up a new native HMAC context five or more times per cell. GetHashAndReset leaves it ready for the next.
    readonly ThreadLocal<IncrementalHash> hmacs;

    byte[] Compute(IReadOnlyList<byte[]> parts)
    {
        var hmac = hmacs.Value!;
        foreach (var part in parts) hmac.AppendData(part);
        return hmac.GetHashAndReset();
    }
}
