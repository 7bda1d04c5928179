using System.Net;
using AbuseDesk.Domain.Cases;
using AbuseDesk.Domain.Parsing;
using AbuseDesk.Functions.Ops;

namespace AbuseDesk.Functions.Tests.Ops;

[Collection(DeskCollection.Name)]
public sealed class PlaybookViewTests(DeskApp app)
{
    [Fact]
    public async Task The_view_matches_the_playbook_file_in_force()
    {
        var file = PlaybookYaml.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "playbooks.yaml")));
        var view = await app.OpsJsonAsync("/api/ops/playbooks");

        var playbooks = view["playbooks"]!.AsObject();
        Assert.Equal(file.ByClass.Count + 1, playbooks.Count);
        foreach (var (name, expected) in file.ByClass.Select(p => (p.Key.ToWireName(), p.Value)).Append(("default", file.Default)))
        {
            var shown = playbooks[name]!;
            Assert.Equal(expected.Notify, shown["notify"]!.GetValue<bool>());
            Assert.Equal(expected.Deadline is { } d ? PlaybookRoutes.Iso(d) : null, shown["deadline"]?.GetValue<string>());
            Assert.Equal(expected.Reminder is { } r ? PlaybookRoutes.Iso(r) : null, shown["reminder"]?.GetValue<string>());
            Assert.Equal(expected.OnDeadline.ToString().ToLowerInvariant(), shown["onDeadline"]!.GetValue<string>());
            Assert.Equal(expected.DryRun, shown["dryRun"]!.GetValue<bool>());
        }

        // The literal spellings of TestData/playbooks.yaml.
        Assert.Equal("PT48H", playbooks["spam"]!["deadline"]!.GetValue<string>());
        Assert.Equal("PT24H", playbooks["spam"]!["reminder"]!.GetValue<string>());
        Assert.Equal("PT3S", playbooks["malware"]!["deadline"]!.GetValue<string>());
        Assert.Null(playbooks["fraud"]!["reminder"]);
        Assert.True(playbooks["botnet"]!["dryRun"]!.GetValue<bool>());
        Assert.Equal("escalate", playbooks["ddos"]!["onDeadline"]!.GetValue<string>());
        Assert.Equal("PT72H", playbooks["default"]!["deadline"]!.GetValue<string>());
        Assert.Equal("P90D", view["safeties"]!["manualReviewAfterCustomerAge"]!.GetValue<string>());
        Assert.Equal("P7D", view["safeties"]!["reinstatementGrace"]!.GetValue<string>());
        Assert.Equal(3, view["safeties"]!["maxAutomatedSuspensionsPerHour"]!.GetValue<int>());
        Assert.Equal("PT24H", view["digestWindow"]!.GetValue<string>());
        Assert.Equal("P7D", view["reopenWindow"]!.GetValue<string>());
        Assert.Equal("default", view["effective"]!["copyright"]!.GetValue<string>());
        Assert.Equal("spam", view["effective"]!["spam"]!.GetValue<string>());
        Assert.Equal(AbuseClasses.WireNames.Count, view["effective"]!.AsObject().Count);
    }

    [Fact]
    public async Task The_view_needs_the_ops_key()
    {
        using var response = await app.Http.GetAsync(new Uri("/api/ops/playbooks", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData(48 * 3600, "PT48H")]
    [InlineData(3, "PT3S")]
    [InlineData(90 * 86400, "P90D")]
    [InlineData(7 * 86400 + 3600, "P7DT1H")]
    [InlineData(5400, "PT1H30M")]
    [InlineData(0, "PT0S")]
    public void Durations_are_written_as_people_write_playbooks(int seconds, string expected) =>
        Assert.Equal(expected, PlaybookRoutes.Iso(TimeSpan.FromSeconds(seconds)));
}
