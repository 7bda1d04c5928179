using MimeKit;

namespace AbuseDesk.Domain.Parsing.Xarf;

/// <summary>
/// The report found in a mail: either a XARF JSON part (already read) or an X-ARF report.txt with the
/// evidence part that travels beside it.
/// </summary>
internal sealed record XarfMailReport(ParseOutcome? Json, XarfYamlReport? Yaml, MimeEntity? Evidence)
{
    public static XarfMailReport OfJson(ParseOutcome outcome) => new(outcome, null, null);

    public static XarfMailReport OfYaml(XarfYamlReport report, MimeEntity? evidence) => new(null, report, evidence);
}
