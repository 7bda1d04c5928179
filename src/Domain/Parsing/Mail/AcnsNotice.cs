using System.Xml.Linq;
using AbuseDesk.Domain.Ownership;

namespace AbuseDesk.Domain.Parsing.Mail;

/// <summary>
/// Copyright infringement notices carrying ACNS XML (the Automated Copyright Notice System schema that
/// IP-Echelon, Irdeto's CopyrightCompliance and other rights holders' agents send): an &lt;Infringement&gt;
/// with the infringer's &lt;Source&gt; (IP_Address, Port, TimeStamp) and the &lt;Content&gt; items. The XML
/// is attached, quoted in the body between the legal prose, or both; the same notice read twice is one event.
/// </summary>
internal sealed class AcnsNotice : IReporterLayout
{
    private const string Root = "Infringement";
    private const int MaxItemsInEvidence = 5;

    // Who sent the notice, from the complainant named in the XML: report types say whose notice it is,
    // because agents differ in how reliable and how urgent their notices are.
    private static readonly (string Marker, string Agent)[] Agents =
    [
        ("ip-echelon", "ip-echelon"),
        ("copyright-compliance", "copyright-compliance"),
        ("irdeto", "copyright-compliance"),
    ];

    public string Format => "acns";

    public bool Claims(MailContent mail) =>
        mail.Texts.Any(t => !t.IsForwarded
            && t.Text.Contains("<" + Root, StringComparison.Ordinal)
            && t.Text.Contains("<Source", StringComparison.Ordinal));

    public ReportReading Read(MailContent mail)
    {
        var events = new ReporterEvents();
        string? rejected = null;

        // Attachments first: an attached .xml is the machine-readable copy, the body's the human one.
        var texts = mail.Texts.Where(t => !t.IsForwarded).OrderBy(t => t.IsAttachment ? 0 : 1);
        foreach (var segment in texts.SelectMany(t => SafeXml.Segments(t.Text, Root)))
        {
            var document = SafeXml.TryLoad(segment, out var error);
            if (document?.Root is not { } root || root.Name.LocalName != Root)
            {
                var why = error ?? "the document is not an ACNS Infringement";
                rejected ??= why;
                events.Notes.Add($"ACNS XML skipped: {why}");
                continue;
            }

            if (Read(root) is { } reportEvent)
            {
                events.Add(reportEvent);
            }
            else
            {
                events.Notes.Skip("ACNS Infringement without a readable Source IP_Address");
            }
        }

        return events.ToReading(Format, rejected is null
            ? "ACNS notice names no readable Source IP_Address"
            : $"ACNS notice XML could not be read safely: {rejected}");
    }

    private static ReportEvent? Read(XElement infringement)
    {
        var source = infringement.Child("Source");
        var ipText = source.Child("IP_Address").Text();
        if (!IpAddressText.TryNormalize(ipText, out var ip))
        {
            return null;
        }

        var complainant = infringement.Child("Complainant");
        var agent = Agent(complainant);
        var evidence = new EvidenceExcerpt()
            .Add("Notice", "ACNS copyright infringement notice")
            .Add("Case ID", infringement.Child("Case").Child("ID").Text())
            .Add("Complainant", complainant.Child("Entity").Text())
            .Add("Agent", complainant.Child("Contact").Text())
            .Add("Infringer IP", ipText)
            .Add("Port", source.Child("Port").Text())
            .Add("Protocol", source.Child("SubType").AttributeText("Protocol") ?? source.Child("Type").Text())
            .Add("Time", source.Child("TimeStamp").Text())
            .Add("Files", source.Child("Number_Files").Text());

        foreach (var item in infringement.Child("Content").Children("Item").Take(MaxItemsInEvidence))
        {
            evidence.Add("Title", item.Child("Title").Text())
                .Add("File", item.Child("FileName").Text())
                .Add("Size", item.Child("FileSize").Text())
                .Add("Hash", item.Child("Hash").Text());
        }

        return new ReportEvent
        {
            Ip = ip,
            Port = PortNumber.Read(source.Child("Port").Text()),
            AbuseClass = AbuseClass.Copyright,
            ReportType = agent + "-copyright",
            Severity = Severity.Medium,
            OccurredAt = ReportedTime.ReadIso(source.Child("TimeStamp").Text())
                ?? ReportedTime.ReadIso(infringement.Child("Content").Child("Item").Child("TimeStamp").Text()),
            Evidence = evidence.Build(),
        };
    }

    private static string Agent(XElement? complainant)
    {
        var names = string.Join(' ', complainant.Child("Email").Text(), complainant.Child("Contact").Text(), complainant.Child("Entity").Text());
        foreach (var (marker, agent) in Agents)
        {
            if (names.Contains(marker, StringComparison.OrdinalIgnoreCase))
            {
                return agent;
            }
        }

        return "acns";
    }
}
