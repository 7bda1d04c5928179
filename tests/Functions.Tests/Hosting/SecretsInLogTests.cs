using System.Net;
using System.Text;
using AbuseDesk.Functions.Tests.Portal;

namespace AbuseDesk.Functions.Tests.Hosting;

/// <summary>
/// Portal links are 30-day credentials and keys open the API: none may reach the app's log. The app runs with its
/// stock settings and logging at Information, ASP.NET Core's request logging included (<see cref="StockDeskApp"/>),
/// takes portal views and posts, refused and broken requests, ops and reporter calls with right and wrong keys, and
/// its whole log is then searched.
/// </summary>
[Collection(DeskCollection.Name)]
public sealed class SecretsInLogTests(StockDeskApp stock) : IClassFixture<StockDeskApp>
{
    [Fact]
    public async Task No_portal_token_signature_ops_key_or_reporter_key_reaches_the_log()
    {
        var mailed = await PortalCases.ReportAsync(stock, 14);
        var token = mailed.Link[(mailed.Link.LastIndexOf('/') + 1)..];
        var signature = token[(token.LastIndexOf('.') + 1)..];
        var wrongOpsKey = "ops-wrong-" + Guid.NewGuid().ToString("N");
        var wrongReporterKey = "rk_wrong" + Guid.NewGuid().ToString("N");

        // The customer: views, posts, a forged post, a tampered link, a broken and an oversized body.
        var session = new PortalSession(stock);
        var page = await session.OpenAsync(mailed.Link);
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Equal(HttpStatusCode.OK, (await session.SubmitAsync(mailed.Link, page, "message", "Looking into it.")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await session.SubmitAsync(mailed.Link, page, "message", "forged", csrfOverride: "forged")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await session.OpenAsync(mailed.Link + "x")).Status);
        var broken = await RawHttp.SendAsync(stock.BaseUrl,
            $"POST /portal/cases/{token} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked", "ffffffffffffffff\r\nabc"u8.ToArray());
        Assert.Equal(400, broken.Status);
        using var huge = await stock.Http.PostAsync(new Uri(mailed.Link), new StringContent("text=" + new string('a', 100_000), Encoding.ASCII, "application/x-www-form-urlencoded"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);

        // Ops with the key in the query (as ?code= allows) and wrong keys; a reporter with its key and a wrong one.
        using (var ops = await stock.Http.GetAsync(new Uri($"/api/ops/cases?code={stock.OpsKey}", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, ops.StatusCode);
        }

        using (var wrong = await stock.Http.GetAsync(new Uri($"/api/ops/cases/{mailed.CaseId}?code={wrongOpsKey}", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using (var report = await stock.PostReportAsync(ArfSamples.For("2001:db8:60:e::26"), "message/rfc822"))
        {
            Assert.Equal(HttpStatusCode.Accepted, report.StatusCode);
        }

        using (var refused = await stock.PostReportAsync(ArfSamples.For("2001:db8:60:e::27"), "message/rfc822", wrongReporterKey))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        var brokenReport = await RawHttp.SendAsync(stock.BaseUrl,
            $"POST /api/reports?code={stock.OpsKey} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {stock.ReporterKey}\r\nContent-Type: message/rfc822\r\nTransfer-Encoding: chunked", "zz\r\n"u8.ToArray());
        Assert.Equal(400, brokenReport.Status);

        var log = await stock.LogUpToNowAsync();

        foreach (var (what, secret) in new[]
        {
            ("portal token", token), ("token signature", signature), ("ops key", stock.OpsKey), ("wrong ops key", wrongOpsKey),
            ("reporter key", stock.ReporterKey), ("wrong reporter key", wrongReporterKey),
        })
        {
            var at = log.IndexOf(secret, StringComparison.Ordinal);
            Assert.True(at < 0, $"the {what} is in the app's log:\n{(at < 0 ? "" : log[Math.Max(0, at - 300)..Math.Min(log.Length, at + 100)])}");
        }

        // The requests were logged all the same, with the link reduced to a marker.
        Assert.Contains("/portal/cases/{token:", log, StringComparison.Ordinal);
    }
}
