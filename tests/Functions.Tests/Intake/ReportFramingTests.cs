using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace AbuseDesk.Functions.Tests.Intake;

/// <summary>
/// Bodies that break HTTP's framing (a chunk size that is not one, a body that stops arriving, a connection reset
/// half way) are the client's error: a 4xx problem, and nothing at error level in the app's log.
/// </summary>
[Collection(DeskCollection.Name)]
public sealed class ReportFramingTests(DeskApp app)
{
    private string Head(string framing) =>
        $"POST /api/reports HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {app.ReporterKey}\r\nContent-Type: message/rfc822\r\n{framing}";

    private static void AssertNoErrorLogged(string log)
    {
        Assert.DoesNotContain("fail: AbuseDesk.Functions.Hosting.HttpEndpoint", log, StringComparison.Ordinal);
        Assert.DoesNotContain("fail: Microsoft.AspNetCore", log, StringComparison.Ordinal);
        Assert.DoesNotContain("BadHttpRequestException", log, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ffffffffffffffff\r\nabc")]
    [InlineData("5\r\nhello\r\nzz\r\nmore")]
    public async Task A_bad_chunk_is_400_problem_json_and_no_error_in_the_log(string body)
    {
        var logFrom = app.Log.Length;

        var response = await RawHttp.SendAsync(app.BaseUrl, Head("Transfer-Encoding: chunked"), Encoding.Latin1.GetBytes(body));

        Assert.Equal(400, response.Status);
        Assert.Equal("application/problem+json", response.MediaType);
        var problem = JsonNode.Parse(response.Body)!;
        Assert.Equal(400, problem["status"]!.GetValue<int>());
        Assert.Equal("Malformed request body", problem["title"]!.GetValue<string>());
        Assert.Contains("framing", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        AssertNoErrorLogged((await app.LogUpToNowAsync())[logFrom..]);
    }

    [Fact]
    public async Task A_body_that_stops_arriving_is_408_problem_json_and_no_error_in_the_log()
    {
        var logFrom = app.Log.Length;

        // 16 of 100,000 announced bytes, then nothing: the server's minimum body data rate gives up on it.
        var response = await RawHttp.SendAsync(app.BaseUrl, Head("Content-Length: 100000"), Encoding.ASCII.GetBytes("From: a@b.test\r\n"));

        Assert.Equal(408, response.Status);
        Assert.Equal("application/problem+json", response.MediaType);
        Assert.Equal(408, JsonNode.Parse(response.Body)!["status"]!.GetValue<int>());
        AssertNoErrorLogged((await app.LogUpToNowAsync())[logFrom..]);
    }

    [Fact]
    public async Task A_connection_reset_half_way_through_the_body_logs_no_error()
    {
        var logFrom = app.Log.Length;
        using (var client = new TcpClient())
        {
            await client.ConnectAsync(app.BaseUrl.Host, app.BaseUrl.Port);
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes(Head("Content-Length: 100000") + "\r\n\r\nFrom: a@b.test\r\n"));
            await stream.FlushAsync();
            await Task.Delay(500);
            // Linger 0: closing sends a reset, not an orderly end.
            client.LingerState = new LingerOption(true, 0);
        }

        // The app still answers, and said nothing at error level about the reset.
        using var health = await app.Http.GetAsync(new Uri("/api/health", UriKind.Relative));
        Assert.True(health.IsSuccessStatusCode);
        AssertNoErrorLogged((await app.LogUpToNowAsync())[logFrom..]);
    }
}
