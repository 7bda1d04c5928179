using System.Text;
using AbuseDesk.Domain.Parsing;
using AbuseDesk.Domain.Parsing.Mail;

namespace AbuseDesk.Domain.Tests.Parsing.Mail;

public sealed class LineLengthGuardTests
{
    private static readonly string Feedback = "Feedback-Type: abuse\nVersion: 1\nSource-IP: 192.0.2.7";

    [Fact]
    public void A_mail_whose_reported_message_has_a_header_past_a_megabyte_fails_naming_the_line()
    {
        // The fuzz run's input 12709 (seed 17): a From header of 5.5 MB inside the reported message.
        var from = "From: \"" + new string('\\', LineLengthGuard.MaxLineBytes) + "\" <x@example.org>";
        var outcome = Parse(ArfSampleMessage.With(Feedback, from + "\nSubject: Sample"));

        Assert.True(outcome.Failed);
        Assert.Contains("line longer than 1 MB", outcome.Error, StringComparison.Ordinal);
        Assert.Empty(outcome.Events);
    }

    [Fact]
    public void A_long_line_under_the_bound_is_parsed()
    {
        var body = new string('a', LineLengthGuard.MaxLineBytes - 100);
        var outcome = Parse(ArfSampleMessage.With(Feedback).Replace("Sample report.", body, StringComparison.Ordinal));

        Assert.False(outcome.Failed, outcome.Error);
        Assert.Equal("192.0.2.7", Assert.Single(outcome.Events).Ip);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4096)]
    public void Lines_are_counted_across_reads_of_any_size(int readSize)
    {
        var text = "short\n" + new string('x', 1000) + "\n" + new string('y', 3000) + "\nend";
        using var guarded = new LineLengthGuard(new Trickle(Encoding.ASCII.GetBytes(text), readSize));
        using var copy = new MemoryStream();
        guarded.CopyTo(copy);
        Assert.Equal(text, Encoding.ASCII.GetString(copy.ToArray()));

        var tooLong = new string('z', LineLengthGuard.MaxLineBytes) + "\n" + new string('w', LineLengthGuard.MaxLineBytes + 1);
        using var refused = new LineLengthGuard(new Trickle(Encoding.ASCII.GetBytes(tooLong), Math.Max(readSize, 1024)));
        Assert.Throws<ReportRejectedException>(() => refused.CopyTo(Stream.Null));
    }

    private static ParseOutcome Parse(string mail)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(mail));
        return ReportParser.Parse(stream, new ReportInput("message/rfc822"));
    }

    /// <summary>Hands out at most a few bytes per read, as a network stream may.</summary>
    private sealed class Trickle(byte[] bytes, int most) : MemoryStream(bytes, writable: false)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, most));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, most)]);
    }
}
