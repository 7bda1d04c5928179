using AbuseDesk.Domain.Parsing;

namespace AbuseDesk.Domain.Tests.Parsing;

public class JsonEventsParserTests
{
    private const string ValidEvent = """{"ip":"198.51.100.7","abuseClass":"spam"}""";

    [Fact]
    public void Valid_events_are_read_and_normalised()
    {
        var outcome = ReportParsing.File(TestPaths.TestData("json", "valid-events.json"), ReportParsing.Json);

        Assert.False(outcome.Failed, outcome.Error);
        Assert.Equal(ReportFormats.JsonEvents, outcome.Format);
        Assert.Collection(
            outcome.Events,
            first =>
            {
                Assert.Equal("198.51.100.7", first.Ip);
                Assert.Equal(22, first.Port);
                Assert.Null(first.Url);
                Assert.Equal(AbuseClass.Bruteforce, first.AbuseClass);
                Assert.Equal("ssh-login-attack", first.ReportType);
                Assert.Equal(new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero), first.OccurredAt);
                Assert.StartsWith("Nov 20 10:00:00 sshd", first.Evidence, StringComparison.Ordinal);
                Assert.False(first.LowConfidence);
            },
            second =>
            {
                Assert.Null(second.Ip);
                Assert.Equal("https://login-bank.customer.example/verify", second.Url);
                Assert.Equal(AbuseClass.Phishing, second.AbuseClass);
                Assert.Equal(new DateTimeOffset(2026, 11, 20, 10, 30, 0, TimeSpan.Zero), second.OccurredAt);
                Assert.Equal(TimeSpan.Zero, second.OccurredAt!.Value.Offset);
            },
            third =>
            {
                Assert.Equal("2001:db8::7", third.Ip);
                Assert.Equal(AbuseClass.Scanning, third.AbuseClass);
                Assert.Equal("scanning", third.ReportType);
                Assert.Null(third.OccurredAt);
                Assert.Null(third.Evidence);
            });
    }

    [Theory]
    [InlineData("""{"ip":"300.1.1.1","abuseClass":"spam"}""", "events[2].ip: '300.1.1.1' is not an IP address")]
    [InlineData("""{"ip":"010.0.0.1","abuseClass":"spam"}""", "events[2].ip: '010.0.0.1' is not an IP address")]
    [InlineData("""{"ip":"1","abuseClass":"spam"}""", "events[2].ip: '1' is not an IP address")]
    [InlineData("""{"ip":123,"abuseClass":"spam"}""", "events[2].ip: expected a string, got a number")]
    [InlineData("""{"ip":"192.0.2.1","port":70000,"abuseClass":"spam"}""", "events[2].port: 70000 is not a port number (1-65535)")]
    [InlineData("""{"ip":"192.0.2.1","port":0,"abuseClass":"spam"}""", "events[2].port: 0 is not a port number (1-65535)")]
    [InlineData("""{"ip":"192.0.2.1","port":22.5,"abuseClass":"spam"}""", "events[2].port: 22.5 is not a port number (1-65535)")]
    [InlineData("""{"ip":"192.0.2.1","port":"22","abuseClass":"spam"}""", "events[2].port: expected an integer, got a string")]
    [InlineData("""{"url":"not a url","abuseClass":"phishing"}""", "events[2].url: 'not a url' is not an absolute URL with a host")]
    [InlineData("""{"url":"/relative/path","abuseClass":"phishing"}""", "events[2].url: '/relative/path' is not an absolute URL with a host")]
    [InlineData("""{"ip":"192.0.2.1","abuseClass":"weather"}""", "events[2].abuseClass: 'weather' is not an abuse class (one of ")]
    [InlineData("""{"ip":"192.0.2.1"}""", "events[2].abuseClass: required (one of ")]
    [InlineData("""{"ip":"192.0.2.1","abuseClass":"spam","reportType":""}""", "events[2].reportType: '' is not a report type")]
    [InlineData("""{"ip":"192.0.2.1","abuseClass":"spam","occurredAt":"2026-11-20T10:00:00"}""", "events[2].occurredAt: '2026-11-20T10:00:00' is not an ISO 8601 time with a UTC offset")]
    [InlineData("""{"ip":"192.0.2.1","abuseClass":"spam","occurredAt":"yesterday"}""", "events[2].occurredAt: 'yesterday' is not an ISO 8601 time")]
    [InlineData("""{"ip":"192.0.2.1","abuseClass":"spam","occurredAt":"11/20/2026 10:00 +00:00"}""", "events[2].occurredAt: '11/20/2026 10:00 +00:00' is not an ISO 8601 time")]
    [InlineData("""{"ip":"192.0.2.1","abuseClass":"spam","evidence":5}""", "events[2].evidence: expected a string, got a number")]
    [InlineData("""{"abuseClass":"spam","port":25}""", "events[2]: ip or url is required")]
    [InlineData("""{"ip":null,"url":null,"abuseClass":"spam"}""", "events[2]: ip or url is required")]
    [InlineData("""{"ip":"192.0.2.1","ip":"192.0.2.2","abuseClass":"spam"}""", "events[2]: duplicate property 'ip'")]
    [InlineData("42", "events[2]: expected an object, got a number")]
    public void Invalid_element_fails_naming_index_and_field(string element, string expectedError)
    {
        var json = $$"""{"events":[{{ValidEvent}},{{ValidEvent}},{{element}}]}""";

        var outcome = ReportParsing.Text(json, ReportParsing.Json);

        Assert.True(outcome.Failed);
        Assert.Equal(ReportFormats.JsonEvents, outcome.Format);
        Assert.StartsWith(expectedError, outcome.Error, StringComparison.Ordinal);
        Assert.Empty(outcome.Events);
    }

    [Theory]
    [InlineData("""{"events":{}}""", "events: expected an array, got an object")]
    [InlineData("""{"events":[]}""", "events: the array is empty")]
    public void Events_must_be_a_non_empty_array(string json, string expectedError)
    {
        var outcome = ReportParsing.Text(json, ReportParsing.Json);

        Assert.Equal(ReportFormats.JsonEvents, outcome.Format);
        Assert.Equal(expectedError, outcome.Error);
    }

    [Fact]
    public void Malformed_json_fails_with_its_position()
    {
        var outcome = ReportParsing.Text("{\n  \"events\": [\n    {\"ip\": \"192.0.2.1\",,}\n  ]\n}", ReportParsing.Json);

        Assert.True(outcome.Failed);
        Assert.Equal(ReportFormats.Unknown, outcome.Format);
        Assert.StartsWith("malformed JSON at line 3, byte 24:", outcome.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("LineNumber", outcome.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"Events":[]}""")]
    [InlineData("""{"Version":"4","Report":{}}""")]
    [InlineData("""[{"ip":"192.0.2.1","abuseClass":"spam"}]""")]
    [InlineData("\"events\"")]
    public void Json_without_an_events_property_is_an_unrecognized_format(string json)
    {
        var outcome = ReportParsing.Text(json, ReportParsing.Json);

        Assert.Equal(ReportFormats.Unknown, outcome.Format);
        Assert.Equal("unrecognized format", outcome.Error);
    }

    [Fact]
    public void Evidence_is_bounded()
    {
        var json = $$"""{"events":[{"ip":"192.0.2.1","abuseClass":"spam","evidence":"{{new string('e', 10_000)}}"}]}""";

        var reportEvent = Assert.Single(ReportParsing.Text(json, ReportParsing.Json).Events);

        Assert.Equal(ReportEvent.MaxEvidenceLength, reportEvent.Evidence!.Length);
    }

    [Fact]
    public void Abuse_class_aliases_and_unknown_properties_are_accepted()
    {
        var json = """{"events":[{"ip":"::ffff:192.0.2.9","abuseClass":"C2","confidence":"high","reportType":"sinkhole-hit"}]}""";

        var reportEvent = Assert.Single(ReportParsing.Text(json, ReportParsing.Json).Events);

        Assert.Equal("192.0.2.9", reportEvent.Ip);
        Assert.Equal(AbuseClass.Botnet, reportEvent.AbuseClass);
        Assert.Equal("sinkhole-hit", reportEvent.ReportType);
    }
}
