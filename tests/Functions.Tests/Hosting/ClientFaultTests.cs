using System.Text;
using AbuseDesk.Functions.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AbuseDesk.Functions.Tests.Hosting;

/// <summary>
/// Form bodies the client broke, found by bench/fuzz as 500s on POST /portal/cases/{token}: ASP.NET Core's form
/// reader throws for them from inside the handler, so HttpEndpoint must know them as the client's doing. The forms
/// are read here by the real FormFeature on a request made in memory, so the exceptions are the real ones.
/// </summary>
public sealed class ClientFaultTests
{
    private static async Task<(Exception Thrown, HttpContext Context)> ReadFormAsync(string contentType, string body)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.Path = "/portal/cases/x";
        context.Request.ContentType = contentType;
        context.Request.Body = new MemoryStream(Encoding.ASCII.GetBytes(body));
        var thrown = await Record.ExceptionAsync(() => context.Request.ReadFormAsync());
        Assert.NotNull(thrown);
        return (thrown, context);
    }

    [Fact]
    public async Task A_form_in_a_charset_dotnet_refuses_is_415_not_500()
    {
        // .NET refuses UTF-7 outright (NotSupportedException from Encoding.GetEncoding, SYSLIB0001).
        var (thrown, context) = await ReadFormAsync("application/x-www-form-urlencoded; charset=utf-7", "action=message&text=hi");
        Assert.Equal(StatusCodes.Status415UnsupportedMediaType, ClientFault.Of(thrown, context)?.Status);
    }

    [Fact]
    public async Task A_multipart_form_cut_short_is_400_not_500()
    {
        var (thrown, context) = await ReadFormAsync("multipart/form-data; boundary=zz", "--zz\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\nhello");
        Assert.Equal(StatusCodes.Status400BadRequest, ClientFault.Of(thrown, context)?.Status);
    }

    [Fact]
    public async Task The_endpoint_answers_them_with_the_fault_and_no_error_in_the_log()
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.ContentType = "multipart/form-data; boundary=zz";
        context.Request.Body = new MemoryStream("--zz\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\nhello"u8.ToArray());
        var log = new CollectingLogger();
        var answered = await new HttpEndpoint(log).RunAsync(context.Request, async () =>
        {
            await context.Request.ReadFormAsync();
            return Results.Ok();
        });
        Assert.Equal(StatusCodes.Status400BadRequest, (answered as IStatusCodeHttpResult)?.StatusCode);
        Assert.DoesNotContain(log.Levels, level => level >= LogLevel.Warning);
    }

    private sealed class CollectingLogger : ILogger<HttpEndpoint>
    {
        public List<LogLevel> Levels { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Levels.Add(logLevel);
    }

    [Fact]
    public void A_server_side_io_failure_stays_a_server_failure()
    {
        // Only the form reader's and Kestrel's own IOExceptions are about the client's bytes.
        var context = new DefaultHttpContext();
        Assert.Null(ClientFault.Of(new IOException("disk full"), context));
        Assert.Null(ClientFault.Of(new NotSupportedException("not implemented"), context));
    }
}
