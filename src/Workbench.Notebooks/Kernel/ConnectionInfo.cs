using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Workbench.Notebooks.Kernel;

/// <summary>The connection file Jupyter writes for a kernel: ports, transport, address and the signing key.</summary>
public sealed record ConnectionInfo(
    [property: JsonPropertyName("ip")] string Ip,
    [property: JsonPropertyName("transport")] string Transport,
    [property: JsonPropertyName("shell_port")] int ShellPort,
    [property: JsonPropertyName("iopub_port")] int IopubPort,
    [property: JsonPropertyName("stdin_port")] int StdinPort,
    [property: JsonPropertyName("control_port")] int ControlPort,
    [property: JsonPropertyName("hb_port")] int HeartbeatPort,
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("signature_scheme")] string SignatureScheme)
{
    /// <summary>Reads and validates a connection file. Only tcp on a loopback address and hmac-sha256 (or an
    /// empty key) are accepted: the kernel runs code for whoever can reach it, so it never listens on a network.</summary>
    public static ConnectionInfo Load(string path)
    {
        if (!File.Exists(path)) throw new WorkbenchException($"connection file not found: {path}");
        ConnectionInfo? info;
        try
        {
            info = JsonSerializer.Deserialize(File.ReadAllText(path), KernelJson.Default.ConnectionInfo);
        }
        catch (JsonException ex)
        {
            throw new WorkbenchException($"{path}: line {(ex.LineNumber ?? 0) + 1}: not a valid connection file: {ex.Message}");
        }
        if (info is null) throw new WorkbenchException($"{path}: empty connection file");
        info.Validate(path);
        return info;
    }

    internal void Validate(string source)
    {
        if (!string.Equals(Transport, "tcp", StringComparison.Ordinal))
            throw new WorkbenchException($"{source}: transport '{Transport}' is not supported; expected 'tcp'.");
        if (!IsLoopback(Ip))
            throw new WorkbenchException($"{source}: ip '{Ip}' is not a loopback address; the workbench kernel only binds to 127.0.0.1/::1 "
                + "(running code for any host on the network is refused). Use an SSH tunnel for remote access.");
        if (Key.Length > 0 && !string.Equals(SignatureScheme, "hmac-sha256", StringComparison.Ordinal))
            throw new WorkbenchException($"{source}: signature_scheme '{SignatureScheme}' is not supported; expected 'hmac-sha256'.");
        foreach (var (name, port) in new[] { ("shell_port", ShellPort), ("iopub_port", IopubPort), ("stdin_port", StdinPort), ("control_port", ControlPort), ("hb_port", HeartbeatPort) })
            if (port is <= 0 or > 65535) throw new WorkbenchException($"{source}: {name} {port} is not a TCP port (1-65535).");
    }

    internal static bool IsLoopback(string ip) =>
        ip == "localhost" || (IPAddress.TryParse(ip, out var address) && IPAddress.IsLoopback(address));

    internal string Endpoint(int port) => $"tcp://{(Ip == "localhost" ? "127.0.0.1" : Ip.Contains(':') ? "[" + Ip + "]" : Ip)}:{port}";
}

/// <summary>Source-generated JSON for the connection file (no reflection).</summary>
[JsonSerializable(typeof(ConnectionInfo))]
internal sealed partial class KernelJson : JsonSerializerContext;
