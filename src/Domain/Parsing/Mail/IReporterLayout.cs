namespace AbuseDesk.Domain.Parsing.Mail;

/// <summary>
/// One reporter's own mail layout. Recognised by the structure of the content (a table, an XML element,
/// a block of fixed field names), never by the sender, which anyone can forge.
/// </summary>
internal interface IReporterLayout
{
    /// <summary>The <see cref="ParseOutcome.Format"/> of mails in this layout.</summary>
    string Format { get; }

    bool Claims(MailContent mail);

    ReportReading Read(MailContent mail);
}
