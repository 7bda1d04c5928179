using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;
using MimeKit;

namespace AbuseDesk.Functions.Tests;

/// <summary>
/// The abuse mailbox ./test serves with Debian's dovecot on 127.0.0.1 (scripts/services.sh start_dovecot), and a
/// client of it for the tests: they put mail in with IMAP APPEND, as a mail system delivers it, and look at folders.
/// </summary>
public static class TestMailbox
{
    /// <summary>The authserv-id the suite's app trusts for SPF: the tests' mails stamp it as the mailbox's own MTA would.</summary>
    public const string AuthServId = "mx.desk.test";

    public const string StoredFolder = "AbuseDesk/Stored";
    public const string RefusedFolder = "AbuseDesk/Refused";

    public static int Port => int.Parse(Variable("ABUSEDESK_TEST_IMAP_PORT"), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>dovecot's implicit-TLS port; its certificate is self-signed (<see cref="Directory"/>/tls.crt).</summary>
    public static int TlsPort => int.Parse(Variable("ABUSEDESK_TEST_IMAPS_PORT"), System.Globalization.CultureInfo.InvariantCulture);

    public static string User => Variable("ABUSEDESK_TEST_IMAP_USER");

    public static string Password => Variable("ABUSEDESK_TEST_IMAP_PASSWORD");

    /// <summary>dovecot's folder: its passwd-file "users" is read at every sign-in.</summary>
    public static string Directory => Variable("ABUSEDESK_TEST_IMAP_DIR");

    public static async Task<ImapClient> ConnectAsync()
    {
        var client = new ImapClient { Timeout = 30_000 };
        await client.ConnectAsync("127.0.0.1", Port, SecureSocketOptions.None);
        await client.AuthenticateAsync(User, Password);
        return client;
    }

    /// <summary>Delivers the raw message to the inbox.</summary>
    public static async Task DeliverAsync(byte[] raw)
    {
        using var client = await ConnectAsync();
        using var stream = new MemoryStream(raw);
        await client.Inbox.AppendAsync(new AppendRequest(await MimeMessage.LoadAsync(stream)));
        await client.DisconnectAsync(true);
    }

    /// <summary>The Message-IDs in a folder (an absent folder has none).</summary>
    public static async Task<List<string>> MessageIdsAsync(string path)
    {
        using var client = await ConnectAsync();
        IMailFolder folder;
        try
        {
            folder = path == "INBOX" ? client.Inbox : await client.GetFolderAsync(path);
        }
        catch (FolderNotFoundException)
        {
            return [];
        }

        await folder.OpenAsync(FolderAccess.ReadOnly);
        var uids = await folder.SearchAsync(SearchQuery.All);
        var ids = uids.Count == 0 ? [] : (await folder.FetchAsync(uids, new FetchRequest(MessageSummaryItems.Envelope))).Select(s => s.Envelope?.MessageId ?? "").ToList();
        await client.DisconnectAsync(true);
        return ids;
    }

    private static string Variable(string name) =>
        Environment.GetEnvironmentVariable(name) ?? throw new InvalidOperationException($"{name} is not set: run the tests with ./test, which starts dovecot");
}
