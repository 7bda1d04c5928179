using System.Net;
using System.Text;

namespace AbuseDesk.Functions.Tests.Portal;

/// <summary>
/// A portal post needs only a link, so anyone holding one can send broken or huge bodies: the answer is the
/// portal's own page with a 4xx, the 64 KB form limit holds whether or not a Content-Length is given, and nothing
/// reaches the app's log at error level.
/// </summary>
[Collection(DeskCollection.Name)]
public sealed class PortalFramingTests(DeskApp app)
{
    private static string Token(MailedCase mailed) => mailed.Link[(mailed.Link.LastIndexOf('/') + 1)..];

    private static string Head(string token, string framing) =>
        $"POST /portal/cases/{token} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n{framing}";

    private static void AssertPortalPage(RawResponse response, int status, string title)
    {
        Assert.Equal(status, response.Status);
        Assert.Equal("text/html", response.MediaType);
        Assert.Contains($"<h1>{title}</h1>", response.Body, StringComparison.Ordinal);
        Assert.StartsWith("default-src 'none'", response.Headers["Content-Security-Policy"], StringComparison.Ordinal);
        Assert.Equal("no-store", response.Headers["Cache-Control"]);
    }

    private static void AssertNoErrorLogged(string log)
    {
        Assert.DoesNotContain("fail: AbuseDesk.Functions.Hosting.HttpEndpoint", log, StringComparison.Ordinal);
        Assert.DoesNotContain("fail: Microsoft.AspNetCore", log, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidDataException", log, StringComparison.Ordinal);
        Assert.DoesNotContain("BadHttpRequestException", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_chunk_size_on_a_portal_post_is_the_400_page_and_no_error_in_the_log()
    {
        var token = Token(await PortalCases.ReportAsync(app, 11));
        var logFrom = app.Log.Length;

        var response = await RawHttp.SendAsync(app.BaseUrl, Head(token, "Transfer-Encoding: chunked"), "ffffffffffffffff\r\nabc"u8.ToArray());

        AssertPortalPage(response, 400, "Form not accepted");
        AssertNoErrorLogged((await app.LogUpToNowAsync())[logFrom..]);
    }

    [Fact]
    public async Task A_portal_post_that_stops_arriving_is_the_408_page()
    {
        var token = Token(await PortalCases.ReportAsync(app, 13));
        var logFrom = app.Log.Length;

        var response = await RawHttp.SendAsync(app.BaseUrl, Head(token, "Content-Length: 50000"), "action=message&text=hel"u8.ToArray());

        AssertPortalPage(response, 408, "Form took too long");
        AssertNoErrorLogged((await app.LogUpToNowAsync())[logFrom..]);
    }

    [Fact]
    public async Task A_form_over_64_KB_is_the_413_page_with_or_without_a_content_length()
    {
        var mailed = await PortalCases.ReportAsync(app, 12);
        var logFrom = app.Log.Length;
        // Far beyond 64 KB, and beyond the framework's own 4 MB per-value form limit.
        var form = "action=message&text=" + new string('a', 6 * 1024 * 1024);

        using var chunked = new HttpRequestMessage(HttpMethod.Post, new Uri(mailed.Link)) { Content = new StreamContent(new MemoryStream(Encoding.ASCII.GetBytes(form))) };
        chunked.Headers.TransferEncodingChunked = true;
        chunked.Content.Headers.TryAddWithoutValidation("Content-Type", "application/x-www-form-urlencoded");
        using var withoutLength = await app.Http.SendAsync(chunked);

        using var declared = await app.Http.PostAsync(new Uri(mailed.Link), new StringContent(form, Encoding.ASCII, "application/x-www-form-urlencoded"));

        foreach (var response in new[] { withoutLength, declared })
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
            Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("<h1>Form too large</h1>", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // Many small fields in under 64 KB pass the size limit but not the form reader's field count: a 400 page.
        var fields = string.Join('&', Enumerable.Range(0, 5000).Select(i => $"f{i}=1"));
        using var crowded = await app.Http.PostAsync(new Uri(mailed.Link), new StringContent(fields, Encoding.ASCII, "application/x-www-form-urlencoded"));
        Assert.Equal(HttpStatusCode.BadRequest, crowded.StatusCode);
        Assert.Contains("<h1>Form not accepted</h1>", await crowded.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Nothing was recorded on the case, and nothing logged at error level.
        var history = (await PortalCases.OpsCaseAsync(app, mailed.CaseId))["history"]!.AsArray();
        Assert.DoesNotContain(history, h => h!["what"]!.GetValue<string>() == "customer-message");
        AssertNoErrorLogged((await app.LogUpToNowAsync())[logFrom..]);
    }
}
