using System.Text;
using AbuseDesk.Domain.Parsing;
using MimeKit;

namespace AbuseDesk.Domain.Tests.Parsing;

public class ReceivedHeaderChainTests
{
    [Theory]
    [InlineData("from mail.customer.example (mail.customer.example [192.0.2.2]) by mx.reporter.example with ESMTP", "192.0.2.2")]
    [InlineData("from 127.0.0.1  (EHLO mx8.customer.example) (192.0.2.8) by mta34.reporter.example with SMTP", "192.0.2.8")]
    [InlineData("from [198.51.100.3] (port=4711 helo=client) by exim.reporter.example with esmtp", "198.51.100.3")]
    [InlineData("from v6.customer.example (v6.customer.example [IPv6:2001:DB8::0:5]) by mx.reporter.example", "2001:db8::5")]
    [InlineData("from host.customer.example (203.0.113.4) by EXCH01.reporter.example (10.0.0.5) with Microsoft SMTP Server", "203.0.113.4")]
    [InlineData("from a.example (a.example [::ffff:192.0.2.12]) by b.example", "192.0.2.12")]
    [InlineData("from host ([192.0.2.71:41423] helo=host) by mx.reporter.example (ecelerity 3.6)", "192.0.2.71")]
    public void Finds_the_ip_of_the_sending_host(string received, string expected)
    {
        Assert.Equal(expected, ReceivedHeaderChain.FindDeliveringIp(Headers(received)));
    }

    [Theory]
    [InlineData("from 192.0.2.50 by mx.reporter.example")]
    [InlineData("from unknown (HELO 192.0.2.51) by mx.reporter.example")]
    [InlineData("by mx.reporter.example (Postfix, from userid 0) id 1; Fri, 20 Nov 2026")]
    [InlineData("(qmail 123 invoked by uid 910); 20 Nov 2026 04:00:00 -0000")]
    [InlineData("from localhost (localhost [127.0.0.1]) by mx.reporter.example (192.0.2.52)")]
    [InlineData("from internal (internal [10.1.2.3]) by mx.reporter.example")]
    [InlineData("from x (x [fe80::1]) by mx.reporter.example")]
    [InlineData("from x (x [999.1.1.1]) by mx.reporter.example")]
    public void Ignores_helo_names_receiving_hosts_and_internal_addresses(string received)
    {
        Assert.Null(ReceivedHeaderChain.FindDeliveringIp(Headers(received)));
    }

    [Fact]
    public void The_topmost_external_hop_wins_over_the_senders_own_hops_below_it()
    {
        var headers = Headers(
            "from localhost (localhost [127.0.0.1]) by mx.reporter.example",
            "from relay.customer.example (relay.customer.example [203.0.113.45]) by mx.reporter.example",
            "from laptop (unknown [198.51.100.200]) by relay.customer.example");

        Assert.Equal("203.0.113.45", ReceivedHeaderChain.FindDeliveringIp(headers));
    }

    [Fact]
    public void A_by_inside_a_comment_does_not_end_the_from_clause()
    {
        var headers = Headers("from host (authenticated by plain) (host [192.0.2.60]) by mx.reporter.example");

        Assert.Equal("192.0.2.60", ReceivedHeaderChain.FindDeliveringIp(headers));
    }

    private static HeaderList Headers(params string[] receivedValues)
    {
        var text = new StringBuilder();
        foreach (var value in receivedValues)
        {
            text.Append("Received: ").Append(value).Append("\r\n");
        }

        text.Append("\r\n");
        using var stream = new MemoryStream(Encoding.ASCII.GetBytes(text.ToString()));
        return HeaderList.Load(stream);
    }
}
