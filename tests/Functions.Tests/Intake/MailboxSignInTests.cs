using System.Security.Cryptography.X509Certificates;
using AbuseDesk.Functions.Intake;
using MailKit.Security;

namespace AbuseDesk.Functions.Tests.Intake;

/// <summary>
/// Signing in to the abuse mailbox over implicit TLS, against ./test's dovecot on its IMAPS port with a self-signed
/// certificate: refused as untrusted unless ops pinned that certificate's SHA-256, and then read like any mailbox.
/// </summary>
public sealed class MailboxSignInTests
{
    private static MailboxOptions Tls(string? pin = null) => new()
    {
        Host = "127.0.0.1",
        Port = TestMailbox.TlsPort,
        Security = MailboxSecurity.Tls,
        UserName = TestMailbox.User,
        Password = TestMailbox.Password,
        ServerCertificateSha256 = pin,
        Timeout = TimeSpan.FromSeconds(30),
    };

    private static string DovecotCertificateSha256()
    {
        using var certificate = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(TestMailbox.Directory, "tls.crt"));
        return MailboxSignIn.Sha256Of(certificate);
    }

    [Fact]
    public async Task A_server_certificate_no_authority_vouches_for_is_refused()
    {
        await Assert.ThrowsAsync<SslHandshakeException>(() => MailboxSignIn.ConnectAsync(Tls(), null, CancellationToken.None));
    }

    [Fact]
    public async Task The_pinned_certificate_is_trusted_and_the_session_is_encrypted_and_signed_in()
    {
        // Written as ops copy it from openssl: colon-separated.
        var pin = string.Join(':', DovecotCertificateSha256().Chunk(2).Select(c => new string(c)));

        using var client = await MailboxSignIn.ConnectAsync(Tls(pin), null, CancellationToken.None);

        Assert.True(client.IsSecure);
        Assert.True(client.IsAuthenticated);
        Assert.NotNull(await client.GetFolderAsync("INBOX"));
        await client.DisconnectAsync(true);
    }

    [Fact]
    public async Task Another_certificates_pin_does_not_open_the_door()
    {
        var other = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData("not this server"u8));

        await Assert.ThrowsAsync<SslHandshakeException>(() => MailboxSignIn.ConnectAsync(Tls(other), null, CancellationToken.None));
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("::1", true)]
    [InlineData("localhost", true)]
    [InlineData("imap.example.net", false)]
    [InlineData("192.0.2.10", false)]
    public void Plain_IMAP_is_for_a_server_on_this_machine_only(string host, bool valid)
    {
        var options = Tls();
        options.Host = host;
        options.Security = MailboxSecurity.None;

        var problems = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).ToList();

        Assert.Equal(valid, problems.Count == 0);
    }

    [Theory]
    [InlineData("AB:CD", false)]
    [InlineData("not hex", false)]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n", true)]
    [InlineData(" 01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF ", true)]
    public void A_pin_is_64_hex_digits_as_openssl_or_a_secret_file_writes_it(string pin, bool valid)
    {
        var options = Tls(pin);

        var problems = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).ToList();

        Assert.Equal(valid, problems.Count == 0);
    }
}
