namespace AbuseDesk.Domain.Parsing.Xarf;

/// <summary>The <see cref="ParseOutcome.Format"/> values the XARF readers produce.</summary>
internal static class XarfFormats
{
    /// <summary>XARF v4 JSON (xarf/xarf-spec): one report, <c>xarf_version</c> 4.x.y.</summary>
    public const string V4 = "xarf-v4";

    /// <summary>XARF v3 JSON (abusix/xarf schema version "3"): <c>ReporterInfo</c>, <c>Disclosure</c>, <c>Report</c>.</summary>
    public const string V3 = "xarf-v3";

    /// <summary>X-ARF 0.1/0.2 mails: a YAML <c>report.txt</c> part beside a human-readable part and the evidence.</summary>
    public const string Mail = "x-arf";
}
