using System.Text;
using AbuseDesk.Domain.Parsing;
using BenchmarkDotNet.Attributes;

namespace AbuseDesk.Benchmarks;

/// <summary>ARF feedback-loop mails, the commonest mail report: one typical 2 KB report parsed to its event.</summary>
[MemoryDiagnoser]
public class ArfBenchmarks
{
    private byte[] _mail = [];

    [GlobalSetup]
    public void Setup() => _mail = Encoding.ASCII.GetBytes("""
        From: fbl@mailbox.example
        To: abuse@provider.example
        Subject: FW: complaint
        Date: Fri, 20 Nov 2026 10:05:00 +0000
        Message-ID: <bench-1@mailbox.example>
        MIME-Version: 1.0
        Content-Type: multipart/report; report-type=feedback-report; boundary="b1"

        --b1
        Content-Type: text/plain; charset="US-ASCII"

        This is an abuse report for a message received from 198.51.100.7.

        --b1
        Content-Type: message/feedback-report

        Feedback-Type: abuse
        User-Agent: BenchFBL/1.0
        Version: 1
        Arrival-Date: Fri, 20 Nov 2026 09:58:12 +0000
        Source-IP: 198.51.100.7
        Reported-Domain: sender.example

        --b1
        Content-Type: message/rfc822

        Received: from sender.example (sender.example [198.51.100.7]) by mx.mailbox.example; Fri, 20 Nov 2026 09:58:12 +0000
        From: "Deals" <deals@sender.example>
        To: victim@mailbox.example
        Subject: Buy cheap watches
        Date: Fri, 20 Nov 2026 09:58:10 +0000
        Message-ID: <spam-1@sender.example>

        Cheap watches, click here.
        --b1--
        """.ReplaceLineEndings("\r\n"));

    [Benchmark(Description = "ARF mail → event")]
    public int ParseArf()
    {
        using var stream = new MemoryStream(_mail, writable: false);
        return ReportParser.Parse(stream, new ReportInput("message/rfc822")).Events.Count;
    }
}
