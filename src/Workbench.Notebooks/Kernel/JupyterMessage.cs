namespace Workbench.Notebooks.Kernel;

/// <summary>A Jupyter wire message: routing identities, then "&lt;IDS|MSG&gt;", signature, header, parent header,
/// metadata, content and optional binary buffers.</summary>
public sealed record JupyterMessage(
    IReadOnlyList<byte[]> Identities,
    JsonObject Header,
    JsonObject ParentHeader,
    JsonObject Metadata,
    JsonObject Content,
    IReadOnlyList<byte[]> Buffers)
{
    /// <summary>Protocol version this kernel speaks.</summary>
    public const string ProtocolVersion = "5.3";

    static readonly byte[] Delimiter = "<IDS|MSG>"u8.ToArray();

    /// <summary>The header's msg_type.</summary>
    public string MessageType => Text(Header, "msg_type") ?? "";

    /// <summary>The header's msg_id ("" when absent or not a string).</summary>
    public string MessageId => Text(Header, "msg_id") ?? "";

    /// <summary>The header's session ("" when absent or not a string).</summary>
    public string Session => Text(Header, "session") ?? "";

    /// <summary>A string field of <paramref name="o"/>, or null when absent or of another JSON type (a signed message
    /// can still be malformed: numbers where strings belong must not throw).</summary>
    public static string? Text(JsonObject o, string key) =>
        o[key] is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String ? v.GetValue<string>() : null;

    /// <summary>A boolean field of <paramref name="o"/>: its value, <paramref name="fallback"/> when absent or null, and
    /// null when present with another JSON type ("restart": "yes").</summary>
    public static bool? Flag(JsonObject o, string key, bool fallback) => o[key] switch
    {
        null => fallback,
        JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.True => true,
        JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.False => false,
        _ => null,
    };

    /// <summary>Parses and verifies frames. Returns null with a reason for anything that is not a well-formed,
    /// correctly signed message (the kernel drops those without replying).</summary>
    public static JupyterMessage? Parse(IReadOnlyList<byte[]> frames, MessageSigner signer, out string? rejection)
    {
        var delimiter = -1;
        for (var i = 0; i < frames.Count; i++)
            if (frames[i].AsSpan().SequenceEqual(Delimiter)) { delimiter = i; break; }
        if (delimiter < 0 || frames.Count < delimiter + 6)
        {
            rejection = "malformed message (no <IDS|MSG> delimiter or fewer than 5 parts after it)";
            return null;
        }
        var signature = Encoding.ASCII.GetString(frames[delimiter + 1]);
        var parts = frames.Skip(delimiter + 2).Take(4).ToList();
        if (!signer.Verify(signature, parts))
        {
            rejection = signature.Length == 0 ? "unsigned message" : "invalid signature";
            return null;
        }
        try
        {
            var objects = parts.Select(p => JsonNode.Parse(p) as JsonObject ?? new JsonObject()).ToList();
            rejection = null;
            return new JupyterMessage(frames.Take(delimiter).ToList(), objects[0], objects[1], objects[2], objects[3], frames.Skip(delimiter + 6).ToList());
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or ArgumentException or InvalidOperationException or DecoderFallbackException)
        {
            // Invalid UTF-8 or broken JSON in a correctly signed message: dropped with a reason, never a crash.
            rejection = "message parts are not UTF-8 JSON: " + ex.Message;
            return null;
        }
    }

    /// <summary>The frames to send, signed.</summary>
    public List<byte[]> ToFrames(MessageSigner signer)
    {
        var parts = new[] { Header, ParentHeader, Metadata, Content }.Select(o => Encoding.UTF8.GetBytes(o.ToJsonString())).ToList();
        var frames = new List<byte[]>(Identities);
        frames.Add(Delimiter);
        frames.Add(Encoding.ASCII.GetBytes(signer.Sign(parts)));
        frames.AddRange(parts);
        frames.AddRange(Buffers);
        return frames;
    }

    /// <summary>A new message of <paramref name="type"/> in reply to (or caused by) <paramref name="parent"/>.</summary>
    public static JupyterMessage Create(string type, JsonObject content, JupyterMessage? parent, string session, IReadOnlyList<byte[]>? identities = null) =>
        new(identities ?? [],
            new JsonObject
            {
                ["msg_id"] = Guid.NewGuid().ToString("N"),
                ["session"] = session,
                ["username"] = "workbench",
                ["date"] = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
                ["msg_type"] = type,
                ["version"] = ProtocolVersion,
            },
            parent is null ? new JsonObject() : (JsonObject)parent.Header.DeepClone(),
            new JsonObject(),
            content,
            []);
}
