using AbuseDesk.Domain.Ownership;
namespace AbuseDesk.Domain.Parsing.Mail;

/// <summary>
/// Project Honey Pot's monitor report: sections "IPs Engaged In Harvesting On Your Network:" (and Email
/// Spamming, Dictionary Attacks, Comment Spamming, "Other Potentially Suspicious IPs On Your Network:")
/// listing one IP per line, optionally followed by "(H)" and indented "- time" / "- Subject:" lines.
/// </summary>
internal sealed class ProjectHoneypotReport : IReporterLayout
{
    private const string SectionStart = "IPs Engaged In ";
    private const string SectionEnd = " On Your Network:";
    private const string Suspicious = "Other Potentially Suspicious IPs On Your Network:";
    private const int MaxDetailLines = 6;

    public string Format => "projecthoneypot";

    public bool Claims(MailContent mail) => Body(mail) is not null;

    public ReportReading Read(MailContent mail)
    {
        var events = new ReporterEvents();
        if (Body(mail) is not { } body)
        {
            return events.ToReading(Format, "no Project Honey Pot monitor report in the mail");
        }

        Section? section = null;
        Listing? listing = null;
        foreach (var rawLine in body.Split('\n'))
        {
            var line = rawLine.Trim();
            if (SectionOf(line) is { } next)
            {
                Flush(listing, events);
                listing = null;
                section = next;
                continue;
            }

            if (section is null)
            {
                continue;
            }

            if (line.StartsWith("---", StringComparison.Ordinal))
            {
                Flush(listing, events);
                listing = null;
                section = null;
            }
            else if (line.StartsWith('-') && listing is not null)
            {
                if (listing.Details.Count < MaxDetailLines)
                {
                    listing.Details.Add(line.TrimStart('-', ' '));
                }
            }
            else if (FirstToken(line) is { } token && IpAddressText.TryNormalize(token, out var ip))
            {
                Flush(listing, events);
                listing = new Listing(section, ip, line);
            }
        }

        Flush(listing, events);
        return events.ToReading(Format, "Project Honey Pot report lists no IP");
    }

    private static string? Body(MailContent mail) =>
        mail.Texts.Where(t => t.IsOwnBody && t.IsPlain).Select(t => t.Text).FirstOrDefault(text =>
            text.Contains("Project Honey Pot", StringComparison.OrdinalIgnoreCase)
            && text.Contains(SectionEnd, StringComparison.Ordinal)
            && (text.Contains(SectionStart, StringComparison.Ordinal) || text.Contains(Suspicious, StringComparison.Ordinal)));

    private static Section? SectionOf(string line)
    {
        if (line.Equals(Suspicious, StringComparison.OrdinalIgnoreCase))
        {
            return new Section("Other potentially suspicious", AbuseClass.Other, "projecthoneypot-suspicious", Severity.Low);
        }

        if (!line.StartsWith(SectionStart, StringComparison.OrdinalIgnoreCase) || !line.EndsWith(SectionEnd, StringComparison.OrdinalIgnoreCase)
            || line.Length <= SectionStart.Length + SectionEnd.Length)
        {
            return null;
        }

        var activity = line[SectionStart.Length..^SectionEnd.Length].Trim();

        // Harvesters crawl the web for addresses to spam and dictionary attackers guess mailbox names:
        // both serve spam, which is the class a customer is told about.
        return activity.ToLowerInvariant() switch
        {
            "harvesting" => new Section(activity, AbuseClass.Spam, "projecthoneypot-harvester", Severity.Low),
            "email spamming" => new Section(activity, AbuseClass.Spam, "projecthoneypot-spam-server", Severity.Medium),
            "dictionary attacks" => new Section(activity, AbuseClass.Spam, "projecthoneypot-dictionary-attacker", Severity.Medium),
            "comment spamming" => new Section(activity, AbuseClass.Spam, "projecthoneypot-comment-spammer", Severity.Low),
            _ => new Section(activity, AbuseKeywords.Classify(activity), "projecthoneypot-other", Severity.Low),
        };
    }

    private static string? FirstToken(string line)
    {
        var end = line.IndexOfAny([' ', '\t']);
        var token = end < 0 ? line : line[..end];
        return token.Length is > 0 and <= 64 ? token : null;
    }

    private static void Flush(Listing? listing, ReporterEvents events)
    {
        if (listing is null)
        {
            return;
        }

        var evidence = new EvidenceExcerpt()
            .Add("Reporter", "Project Honey Pot")
            .Add("Activity", listing.Section.Activity)
            .Add("Listed", listing.Line);
        foreach (var detail in listing.Details)
        {
            evidence.Add("Detail", detail);
        }

        events.Add(new ReportEvent
        {
            Ip = listing.Ip,
            AbuseClass = listing.Section.Class,
            ReportType = listing.Section.ReportType,
            Severity = listing.Section.Severity,
            OccurredAt = listing.Details.Select(ReportedTime.ReadZoned).FirstOrDefault(t => t is not null),
            Evidence = evidence.Build(),
        });
    }

    private sealed record Section(string Activity, AbuseClass Class, string ReportType, Severity Severity);

    private sealed class Listing(Section section, string ip, string line)
    {
        public Section Section { get; } = section;

        public string Ip { get; } = ip;

        public string Line { get; } = line;

        /// <summary>The first few indented lines (times, subjects); a hostile listing can have any number.</summary>
        public List<string> Details { get; } = [];
    }
}
