using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using AbuseDesk.Domain.Ownership;
using MimeKit;

namespace AbuseDesk.Domain.Parsing.Mail;

/// <summary>
/// Reads a person's complaint: the IPs and URLs it names in the subject, the text, attached logs and the
/// headers of a forwarded message, and what kind of abuse the person says it is. The work is bounded
/// (the first 256 KB of text, a fixed number of addresses) because anyone can send the desk a mail.
/// </summary>
internal static class ComplaintReader
{
    /// <summary>Characters of text scanned per mail, all sources together.</summary>
    public const int MaxScannedChars = 256 * 1024;

    /// <summary>Addresses kept per complaint: a person names a few hosts; a mail naming hundreds is a list, not a complaint.</summary>
    public const int MaxAddresses = 50;

    private const int MaxReceivedHeaders = 50;
    private const int MaxReceivedChars = 2048;
    private const int MaxClassifiedChars = 64 * 1024;
    private const int ContextRadius = 120;

    // Lines that start the quoted part of a reply or forward; what the person wrote comes before them.
    internal static readonly string[] ForwardMarkers =
        ["forwarded message", "original message", "begin forwarded message", "weitergeleitete nachricht", "message d'origine"];

    // Headers in which the complainant's own mail system names the complainant's hosts.
    private static readonly string[] OriginHeaders = ["X-Originating-IP", "X-Sender-IP", "X-Client-IP"];

    private static readonly ConditionalWeakTable<MimeMessage, Complaint> Complaints = new();

    public static Complaint Of(MimeMessage message) => Complaints.GetValue(message, m => ReadComplaint(MailContent.Of(m)));

    /// <summary>
    /// The addresses the reporter's own text names (the body, not attachments, not a forwarded message), with
    /// the same filters as a complaint: for a structured report whose prose names more hosts than its data.
    /// </summary>
    public static IReadOnlyList<ComplaintAddress> OwnTextOf(MimeMessage message)
    {
        var mail = MailContent.Of(message);
        var (own, redirected) = SplitAtRedirect(mail.Headers);
        var collector = new Collector(ReporterInfrastructure(own, mail.Headers), ReporterDomain(mail, redirected.Count > 0));
        foreach (var body in mail.ReadableBodies())
        {
            collector.ScanText(body, "message text");
        }

        return collector.Addresses();
    }

    private static Complaint ReadComplaint(MailContent mail)
    {
        var (own, redirected) = SplitAtRedirect(mail.Headers);
        var collector = new Collector(ReporterInfrastructure(own, mail.Headers), ReporterDomain(mail, redirected.Count > 0));

        // A spam trap that redirects (Resent-*) the trapped mail itself sends no words of its own: the evidence
        // is the host that delivered the mail to the trap, the first hop below the Resent block.
        foreach (var header in redirected.Take(MaxReceivedHeaders))
        {
            if (collector.ScanReceived(Bound(header.Value, MaxReceivedChars), "Received header of the redirected message"))
            {
                break;
            }
        }

        collector.ScanText(mail.Subject, "subject");
        foreach (var body in mail.ReadableBodies())
        {
            // The sender's signature and footer name their own company, site and servers, never the abuser.
            collector.ScanText(SignatureBlocks.Blank(body), "message text");
        }

        foreach (var attached in mail.Texts.Where(t => !t.IsForwarded && t.IsAttachment && (t.IsPlain || t.MediaType == "text/rfc822-headers")))
        {
            collector.ScanText(attached.Text, $"attachment {EvidenceExcerpt.Flatten(attached.FileName, 80)}".TrimEnd());
        }

        foreach (var forwarded in mail.Forwarded)
        {
            foreach (var header in forwarded.Headers.Where(h => h.Id == HeaderId.Received).Take(MaxReceivedHeaders))
            {
                collector.ScanReceived(Bound(header.Value, MaxReceivedChars), "Received header of the forwarded message");
            }
        }

        var forwardedTexts = mail.Texts.Where(t => t.IsForwarded).ToList();
        var forwardedPlain = forwardedTexts.Where(t => t.IsPlain).ToList();
        foreach (var text in forwardedPlain.Count > 0 ? forwardedPlain : forwardedTexts.Where(t => t.IsHtml))
        {
            collector.ScanText(text.IsHtml ? HtmlText.ToText(text.Text) : text.Text, "forwarded message");
        }

        var abuseClass = Classify(mail, collector.QuotedHeadersSeen || redirected.Count > 0);
        return new Complaint(collector.Addresses(), abuseClass, collector.Capped);
    }

    /// <summary>
    /// The complainant's own hosts: every IP in the complaint mail's own Received headers (its path from
    /// the complainant to the desk) and in the headers where webmail names the sender's client. Any of
    /// these quoted in the text is the complainant's infrastructure, not the abuser.
    /// </summary>
    private static HashSet<string> ReporterInfrastructure(IReadOnlyList<Header> ownReceived, HeaderList headers)
    {
        var hosts = new HashSet<string>(StringComparer.Ordinal);
        foreach (var header in ownReceived.Take(MaxReceivedHeaders))
        {
            foreach (var found in AddressScanner.Find(Bound(header.Value, MaxReceivedChars)))
            {
                if (found.Ip is not null)
                {
                    hosts.Add(found.Ip);
                }
            }
        }

        foreach (var name in OriginHeaders)
        {
            if (IpAddressText.TryNormalize(headers[name]?.Trim().Trim('[', ']'), out var ip))
            {
                hosts.Add(ip);
            }
        }

        return hosts;
    }

    /// <summary>
    /// The complainant's domain: the From address's, or for a redirected mail the Resent-From's (a redirect keeps
    /// the original From, which is the abuser's).
    /// </summary>
    private static string? ReporterDomain(MailContent mail, bool redirected)
    {
        if (!redirected)
        {
            return mail.SenderDomain;
        }

        var resentFrom = mail.Headers["Resent-From"];
        return resentFrom is not null && resentFrom.Length <= 1000 && InternetAddressList.TryParse(resentFrom, out var list)
            && list.Mailboxes.FirstOrDefault()?.Domain is { Length: > 0 and <= 253 } domain
            ? domain.Trim().TrimEnd('.').ToLowerInvariant()
            : null;
    }

    /// <summary>
    /// The mail's own Received headers and, for a redirected mail (RFC 5322 Resent-* fields, what a spam trap's
    /// "bounce" or a mail client's redirect adds), the Received headers of the original delivery below the
    /// topmost Resent block. Headers above the block are the redirect's path to the desk (the reporter's
    /// infrastructure); those below were written when the mail reached the person or trap that redirected it.
    /// </summary>
    private static (IReadOnlyList<Header> Own, IReadOnlyList<Header> Redirected) SplitAtRedirect(HeaderList headers)
    {
        var own = new List<Header>();
        var redirected = new List<Header>();
        var state = 0; // 0 above the Resent block, 1 in it, 2 below it
        var examined = 0;
        foreach (var header in headers)
        {
            if (++examined > MaxReceivedHeaders * 4)
            {
                break;
            }

            var resent = header.Field.StartsWith("Resent-", StringComparison.OrdinalIgnoreCase);
            state = state switch
            {
                0 when resent => 1,
                1 when !resent => 2,
                _ => state,
            };

            if (header.Id == HeaderId.Received)
            {
                (state == 2 ? redirected : own).Add(header);
            }
        }

        return (own, redirected);
    }

    /// <summary>
    /// What the person says the abuse is, from the subject and their own words (not the quoted or forwarded
    /// mail, which can say anything). A complaint that only forwards a message without saying why is
    /// almost always about spam.
    /// </summary>
    private static AbuseClass Classify(MailContent mail, bool quotedHeadersSeen)
    {
        var own = new StringBuilder(mail.Subject).Append('\n');
        foreach (var body in mail.ReadableBodies())
        {
            foreach (var line in body.Split('\n'))
            {
                if (own.Length >= MaxClassifiedChars || ForwardMarkers.Any(m => line.Contains(m, StringComparison.OrdinalIgnoreCase)))
                {
                    break;
                }

                if (!line.TrimStart().StartsWith('>'))
                {
                    own.Append(line).Append('\n');
                }
            }
        }

        var abuseClass = AbuseKeywords.Classify(own.ToString());
        return abuseClass == AbuseClass.Other && (mail.Forwarded.Count > 0 || quotedHeadersSeen) ? AbuseClass.Spam : abuseClass;
    }

    private static string Bound(string? text, int maxChars) =>
        string.IsNullOrEmpty(text) ? string.Empty : text.Length <= maxChars ? text : text[..maxChars];

    /// <summary>Collects the addresses of one complaint within the scanning budget.</summary>
    private sealed class Collector(HashSet<string> reporterHosts, string? reporterDomain)
    {
        // Room for addresses dropped later (an IP that is also a URL's host) before the final cut.
        private const int MaxCandidates = MaxAddresses * 4;

        private readonly List<ComplaintAddress> _found = [];
        private readonly HashSet<string> _keys = new(StringComparer.Ordinal);
        private int _budget = MaxScannedChars;
        private int _ipCandidates;
        private int _urlCandidates;

        public bool Capped { get; private set; }

        /// <summary>Whether the text quoted Received headers: the person pasted the offending mail's headers.</summary>
        public bool QuotedHeadersSeen { get; private set; }

        public void ScanText(string text, string foundIn)
        {
            if (_budget <= 0 || string.IsNullOrEmpty(text))
            {
                return;
            }

            var scanned = Refang(text.Length <= _budget ? text : text[.._budget]);
            _budget -= Math.Min(text.Length, _budget);

            StringBuilder? received = null;
            var lineStart = 0;
            while (lineStart <= scanned.Length && !Full)
            {
                var lineEnd = scanned.IndexOf('\n', lineStart);
                if (lineEnd < 0)
                {
                    lineEnd = scanned.Length;
                }

                var content = Unquoted(scanned, lineStart, lineEnd);
                if (received is not null && content.Length > 0 && char.IsWhiteSpace(content[0]))
                {
                    // A folded continuation of the quoted Received header.
                    if (received.Length < MaxReceivedChars)
                    {
                        received.Append(' ').Append(content.Trim());
                    }
                }
                else
                {
                    if (received is not null)
                    {
                        ScanReceived(received.ToString(), foundIn + " (quoted Received header)");
                        received = null;
                    }

                    if (PastedHeaderLine.Split(content) is { } fields)
                    {
                        QuotedHeadersSeen = true;
                        ScanPastedFields(scanned, lineEnd - content.Length, fields, foundIn);
                    }
                    else if (content.StartsWith("Received:", StringComparison.OrdinalIgnoreCase))
                    {
                        QuotedHeadersSeen = true;
                        received = new StringBuilder(content[9..].Trim().ToString());
                    }
                    else
                    {
                        ScanLine(scanned, lineStart, lineEnd, foundIn);
                    }
                }

                lineStart = lineEnd + 1;
            }

            if (received is not null)
            {
                ScanReceived(received.ToString(), foundIn + " (quoted Received header)");
            }
        }

        /// <summary>
        /// A Received header names two hosts: the one that handed the message over ("from" clause) and the
        /// one that took it ("by" clause, the recipient's side). Only the first can be the abuser; its HELO
        /// name is the sender's own claim and is skipped unless it is a bracketed literal. A hop from a host
        /// in the complainant's own domain is their provider relaying the mail inside its own network.
        /// </summary>
        /// <returns>Whether the from clause named a public address that is not the complainant's.</returns>
        public bool ScanReceived(string value, string foundIn)
        {
            value = Bound(value, MaxReceivedChars);
            var clause = FromClause(value);
            if (NamesReporterHost(clause))
            {
                return false;
            }

            var firstSpace = clause.IndexOfAny([' ', '\t']);
            var helo = firstSpace < 0 ? clause : clause[..firstSpace];
            var start = helo.StartsWith('[') ? 0 : helo.Length;
            var added = false;
            foreach (var found in AddressScanner.Find(clause, start, clause.Length))
            {
                if (found.Url is null)
                {
                    added |= Add(found, foundIn, "Received: " + value);
                }
            }

            return added;
        }

        /// <summary>The fields of a flat pasted header line, each read as what it is.</summary>
        private void ScanPastedFields(string text, int offset, List<PastedHeaderLine.Field> fields, string foundIn)
        {
            foreach (var field in fields)
            {
                if (field.IsReceivers)
                {
                    continue;
                }

                if (field.IsReceived)
                {
                    ScanReceived(text.Substring(offset + field.Start, field.End - field.Start), foundIn + " (pasted Received header)");
                }
                else
                {
                    ScanLine(text, offset + field.Start, offset + field.End, foundIn + " (pasted headers)");
                }
            }
        }

        public IReadOnlyList<ComplaintAddress> Addresses()
        {
            // An IP named only as a URL's host is that URL; the URL event already carries it.
            var urlHosts = _found.Where(f => f.Url is not null && f.Ip is not null).Select(f => f.Ip!).ToHashSet(StringComparer.Ordinal);
            var kept = _found.Where(f => f.Url is not null || !urlHosts.Contains(f.Ip!)).ToList();
            if (kept.Count > MaxAddresses)
            {
                // The IPs a mail names are what the desk routes on; URLs on names fill the room that is left.
                Capped = true;
                var withIp = kept.Where(f => f.Ip is not null).Take(MaxAddresses).ToHashSet();
                var room = MaxAddresses - withIp.Count;
                kept = kept.Where(f => withIp.Contains(f) || (f.Ip is null && room-- > 0)).ToList();
            }

            return kept;
        }

        private bool Full => _ipCandidates >= MaxCandidates && _urlCandidates >= MaxCandidates;

        private void ScanLine(string text, int start, int end, string foundIn)
        {
            if (IsTracerouteHop(text.AsSpan(start, end - start)))
            {
                return;
            }

            foreach (var found in AddressScanner.Find(text, start, end))
            {
                if (Full)
                {
                    Capped = true;
                    return;
                }

                var from = Math.Max(start, found.Index - ContextRadius);
                var to = Math.Min(end, found.Index + found.Length + ContextRadius);
                Add(found, foundIn, text[from..to]);
            }
        }

        /// <returns>Whether the address was new and kept.</returns>
        private bool Add(FoundAddress found, string foundIn, string context)
        {
            // URLs on names and addresses with an IP are bounded apart, so that a list of phishing URLs
            // cannot use up the room before the hosting IPs named under it.
            var namesIp = found.Ip is not null;
            if (namesIp ? _ipCandidates >= MaxCandidates : _urlCandidates >= MaxCandidates)
            {
                Capped = true;
                return false;
            }

            if (found.Ip is not null && (IsNonPublic(found.Ip) || reporterHosts.Contains(found.Ip)))
            {
                return false;
            }

            if (found.Url is not null && IsReporterSite(found.Url))
            {
                return false;
            }

            var key = found.Url is not null ? "url " + found.Url : "ip " + found.Ip;
            if (!_keys.Add(key))
            {
                return false;
            }

            _found.Add(new ComplaintAddress(found.Ip, found.Port, found.Url, foundIn, context));
            if (namesIp)
            {
                _ipCandidates++;
            }
            else
            {
                _urlCandidates++;
            }

            return true;
        }

        private static bool IsNonPublic(string ip) => IpAddresses.IsNonPublic(IPAddress.Parse(ip));

        /// <summary>A link to the complainant's own domain (their signature, their provider's help page).</summary>
        private bool IsReporterSite(string url)
        {
            if (reporterDomain is null || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
            {
                return false;
            }

            return IsReporterHost(uri.IdnHost);
        }

        private bool NamesReporterHost(string clause) =>
            reporterDomain is not null
            && clause.Split([' ', '\t', '(', ')', '[', ']'], StringSplitOptions.RemoveEmptyEntries).Any(IsReporterHost);

        private bool IsReporterHost(string host)
        {
            var name = host.TrimEnd('.');
            return reporterDomain is not null
                && (name.Equals(reporterDomain, StringComparison.OrdinalIgnoreCase)
                    || name.EndsWith("." + reporterDomain, StringComparison.OrdinalIgnoreCase));
        }

        /// <summary>
        /// A hop of a pasted traceroute (" 3  ae-4.edge6.example.net (192.0.2.1)  12.1 ms"): the routers between
        /// the reporter and the host, never the host itself, which the text names elsewhere.
        /// </summary>
        private static bool IsTracerouteHop(ReadOnlySpan<char> line)
        {
            line = line.TrimStart();
            var digits = 0;
            while (digits < line.Length && digits < 3 && char.IsAsciiDigit(line[digits]))
            {
                digits++;
            }

            if (digits is 0 or 3 || line.Length < digits + 2 || !(line[digits] == '\t' || (line[digits] == ' ' && line[digits + 1] == ' ')))
            {
                return false;
            }

            var rest = line[digits..];
            return rest.Contains('(') || rest.Contains(" ms", StringComparison.Ordinal) || rest.Contains("* * *", StringComparison.Ordinal);
        }

        /// <summary>The line without its reply quoting ("> > text" → "text"), keeping the indentation after it.</summary>
        private static ReadOnlySpan<char> Unquoted(string text, int start, int end)
        {
            var line = text.AsSpan(start, end - start);
            while (line.Length > 0 && line[0] == '>')
            {
                line = line[1..];
                if (line.Length > 0 && line[0] == ' ')
                {
                    line = line[1..];
                }
            }

            return line;
        }

        /// <summary>
        /// Undoes the usual defanging ("hxxp://", "192.0.2[.]1", "example[.]com"), which careful reporters
        /// apply so that nobody clicks by accident; the text is only scanned, never followed.
        /// </summary>
        private static string Refang(string text) =>
            text.Replace("hxxp", "http", StringComparison.OrdinalIgnoreCase)
                .Replace("[.]", ".", StringComparison.Ordinal)
                .Replace("(.)", ".", StringComparison.Ordinal)
                .Replace("[:]", ":", StringComparison.Ordinal);

        /// <summary>The text between "from" and the top-level "by" of a Received header value.</summary>
        private static string FromClause(string received)
        {
            var text = received.TrimStart();
            if (!text.StartsWith("from", StringComparison.OrdinalIgnoreCase) || text.Length < 5 || !char.IsWhiteSpace(text[4]))
            {
                return string.Empty;
            }

            var depth = 0;
            for (var i = 5; i < text.Length - 1; i++)
            {
                switch (text[i])
                {
                    case '(':
                        depth++;
                        break;
                    case ')':
                        depth = Math.Max(0, depth - 1);
                        break;
                    case 'b' or 'B' when depth == 0 && char.IsWhiteSpace(text[i - 1])
                        && text[i + 1] is 'y' or 'Y' && (i + 2 == text.Length || char.IsWhiteSpace(text[i + 2])):
                        return text[5..i].Trim();
                }
            }

            return text[5..].Trim();
        }
    }
}
