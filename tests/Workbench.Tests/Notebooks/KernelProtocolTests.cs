using System.Text;
using System.Text.Json.Nodes;
using Workbench.Notebooks.Kernel;

namespace Workbench.Tests.Notebooks;

public sealed class KernelProtocolTests
{
    static readonly MessageSigner Signer = new("0b7f1c4e-key");

    static List<byte[]> Frames(MessageSigner signer, string type = "kernel_info_request")
    {
        var message = JupyterMessage.Create(type, new JsonObject(), null, "client-session", [Encoding.ASCII.GetBytes("client-id")]);
        return message.ToFrames(signer);
    }

    [Fact]
    public void A_correctly_signed_message_is_accepted_with_its_identity()
    {
        var parsed = JupyterMessage.Parse(Frames(Signer), Signer, out var rejection);
        Assert.Null(rejection);
        Assert.Equal("kernel_info_request", parsed!.MessageType);
        Assert.Equal("client-id", Encoding.ASCII.GetString(Assert.Single(parsed.Identities)));
    }

    [Fact]
    public void A_message_signed_with_another_key_is_rejected()
    {
        var forged = Frames(new MessageSigner("attacker-key"));
        Assert.Null(JupyterMessage.Parse(forged, Signer, out var rejection));
        Assert.Equal("invalid signature", rejection);
    }

    [Fact]
    public void A_message_whose_content_was_changed_after_signing_is_rejected()
    {
        var frames = Frames(Signer, "execute_request");
        frames[^1] = Encoding.UTF8.GetBytes("{\"code\":\"File.Delete(\\\"x\\\")\"}");
        Assert.Null(JupyterMessage.Parse(frames, Signer, out var rejection));
        Assert.Equal("invalid signature", rejection);
    }

    [Fact]
    public void An_unsigned_message_is_rejected_when_the_kernel_has_a_key()
    {
        var unsigned = Frames(new MessageSigner(""));
        Assert.Null(JupyterMessage.Parse(unsigned, Signer, out var rejection));
        Assert.Equal("unsigned message", rejection);
    }

    [Theory]
    [InlineData("not-hex-not-hex-not-hex-not-hex-not-hex-not-hex-not-hex-not-hex!")]
    [InlineData("abcd")]
    public void A_malformed_signature_is_rejected(string signature)
    {
        var parts = new List<byte[]> { "{}"u8.ToArray(), "{}"u8.ToArray(), "{}"u8.ToArray(), "{}"u8.ToArray() };
        Assert.False(Signer.Verify(signature, parts));
        Assert.True(Signer.Verify(Signer.Sign(parts), parts));
    }

    [Fact]
    public void The_signature_is_hmac_sha256_hex_of_the_four_parts()
    {
        // Reference value: python3 -c "import hmac,hashlib; print(hmac.new(b'key', b'{}'*4, hashlib.sha256).hexdigest())"
        var parts = Enumerable.Repeat("{}"u8.ToArray(), 4).ToList();
        Assert.Equal(ReferenceSignature, new MessageSigner("key").Sign(parts));
    }

    const string ReferenceSignature = "ca767b02c5bc061ed184a9a029e7f93a7f2f7ed4e8fe74120fc1212f0b008fa3";

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("192.168.1.20")]
    [InlineData("example.org")]
    public void A_connection_file_with_a_non_loopback_ip_is_refused(string ip)
    {
        var info = new ConnectionInfo(ip, "tcp", 1, 2, 3, 4, 5, "k", "hmac-sha256");
        var error = Assert.Throws<WorkbenchException>(() => info.Validate("conn.json"));
        Assert.Contains("not a loopback address", error.Message);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("localhost")]
    public void Loopback_addresses_are_accepted(string ip) =>
        new ConnectionInfo(ip, "tcp", 1, 2, 3, 4, 5, "k", "hmac-sha256").Validate("conn.json");
}
