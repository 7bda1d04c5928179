using System.Diagnostics;
using System.Text;
using AbuseDesk.Domain.Parsing;

namespace AbuseDesk.Domain.Tests.Parsing;

public class ReportParserTests
{
    [Theory]
    [InlineData("application/octet-stream")]
    [InlineData("text/plain")]
    [InlineData("")]
    public void Unsupported_content_type_is_an_unrecognized_format(string contentType)
    {
        var outcome = ReportParsing.File(TestPaths.TestData("arf", "standard-abuse.eml"), contentType);

        Assert.True(outcome.Failed);
        Assert.Equal(ReportFormats.Unknown, outcome.Format);
        Assert.Equal("unrecognized format", outcome.Error);
    }

    [Theory]
    [InlineData("Message/RFC822")]
    [InlineData("message/rfc822; charset=us-ascii")]
    [InlineData(" message/rfc822 ")]
    public void Content_type_is_matched_without_case_or_parameters(string contentType)
    {
        var outcome = ReportParsing.File(TestPaths.TestData("arf", "standard-abuse.eml"), contentType);

        Assert.False(outcome.Failed, outcome.Error);
        Assert.Equal(ReportFormats.Arf, outcome.Format);
    }

    [Theory]
    [InlineData(ReportParsing.Mail)]
    [InlineData(ReportParsing.Json)]
    public void Empty_body_fails_with_a_reason(string contentType)
    {
        var outcome = ReportParsing.Bytes([], contentType);

        Assert.True(outcome.Failed);
        Assert.Equal(ReportFormats.Unknown, outcome.Format);
        Assert.False(string.IsNullOrWhiteSpace(outcome.Error));
        Assert.Empty(outcome.Events);
    }

    [Theory]
    [InlineData(1, 16)]
    [InlineData(2, 1_000)]
    [InlineData(3, 65_536)]
    [InlineData(4, 300_000)]
    public void Random_bytes_as_mail_fail_with_a_reason(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);

        var outcome = ReportParsing.Bytes(bytes, ReportParsing.Mail);

        Assert.True(outcome.Failed);
        Assert.False(string.IsNullOrWhiteSpace(outcome.Error));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(6)]
    public void Random_bytes_as_json_fail_with_a_reason(int seed)
    {
        var bytes = new byte[4096];
        new Random(seed).NextBytes(bytes);

        var outcome = ReportParsing.Bytes(bytes, ReportParsing.Json);

        Assert.True(outcome.Failed);
        Assert.StartsWith("malformed JSON", outcome.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_truncation_of_a_valid_report_parses_or_fails_with_a_reason()
    {
        var bytes = File.ReadAllBytes(TestPaths.TestData("arf", "standard-abuse.eml"));

        for (var length = 0; length < bytes.Length; length += 7)
        {
            var outcome = ReportParsing.Bytes(bytes[..length], ReportParsing.Mail);

            Assert.True(outcome.Failed ? !string.IsNullOrWhiteSpace(outcome.Error) : outcome.Events.Count == 1, $"truncated at {length}");
        }
    }

    [Fact]
    public void Deeply_nested_multiparts_do_not_exhaust_the_parser()
    {
        const int depth = 5_000;
        var mail = new StringBuilder("From: <a@example.net>\r\nMIME-Version: 1.0\r\n");
        for (var i = 0; i < depth; i++)
        {
            mail.Append($"Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n");
        }

        mail.Append("Content-Type: message/feedback-report\r\n\r\nFeedback-Type: abuse\r\nSource-IP: 192.0.2.1\r\n");

        var outcome = ReportParsing.Text(mail.ToString(), ReportParsing.Mail);

        Assert.True(outcome.Failed);
        Assert.False(string.IsNullOrWhiteSpace(outcome.Error));
    }

    [Fact]
    public void Thousands_of_Received_headers_are_not_all_examined()
    {
        var headers = new StringBuilder();
        for (var i = 0; i < 20_000; i++)
        {
            headers.Append("Received: from localhost (localhost [127.0.0.1]) by mx.reporter.example; Fri, 20 Nov 2026 09:00:01 +0000\n");
        }

        headers.Append("Received: from late.customer.example (late.customer.example [192.0.2.44]) by mx.reporter.example; Fri, 20 Nov 2026 09:00:00 +0000\nSubject: x");
        var mail = ArfSampleMessage.With("Feedback-Type: abuse\nUser-Agent: x\nVersion: 1", headers.ToString());

        var stopwatch = Stopwatch.StartNew();
        var outcome = ReportParsing.Text(mail, ReportParsing.Mail);

        Assert.Equal("ARF report has no Source-IP and no IP in the reported message headers", outcome.Error);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"took {stopwatch.Elapsed}");
    }

    [Fact]
    public void Deeply_nested_json_fails_as_malformed()
    {
        var json = "{\"events\":" + new string('[', 1_000) + new string(']', 1_000) + "}";

        var outcome = ReportParsing.Text(json, ReportParsing.Json);

        Assert.True(outcome.Failed);
        Assert.StartsWith("malformed JSON", outcome.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Mail_sent_as_json_is_malformed_json()
    {
        var outcome = ReportParsing.File(TestPaths.TestData("arf", "standard-abuse.eml"), ReportParsing.Json);

        Assert.True(outcome.Failed);
        Assert.StartsWith("malformed JSON at line 1, byte 1:", outcome.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Null_arguments_are_programming_errors()
    {
        using var stream = new MemoryStream();

        Assert.Throws<ArgumentNullException>(() => ReportParser.Parse(null!, new ReportInput(ReportParsing.Mail)));
        Assert.Throws<ArgumentNullException>(() => ReportParser.Parse(stream, null!));
    }

    [Fact]
    public void Failing_stream_propagates_so_the_caller_can_retry()
    {
        using var stream = new FailingStream();

        Assert.Throws<IOException>(() => ReportParser.Parse(stream, new ReportInput(ReportParsing.Mail)));
    }

    private sealed class FailingStream : MemoryStream
    {
        public override int Read(byte[] buffer, int offset, int count) => throw new IOException("blob read failed");

        public override int Read(Span<byte> buffer) => throw new IOException("blob read failed");

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            throw new IOException("blob read failed");

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            throw new IOException("blob read failed");
    }
}
