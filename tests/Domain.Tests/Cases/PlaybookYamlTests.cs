using AbuseDesk.Domain.Cases;
using AbuseDesk.Domain.Parsing;

namespace AbuseDesk.Domain.Tests.Cases;

public class PlaybookYamlTests
{
    /// <summary>The repository root: the first folder above the test binaries that holds AbuseFunctions.sln.</summary>
    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AbuseFunctions.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no AbuseFunctions.sln above {AppContext.BaseDirectory}");
    }

    private const string ContractExample = """
        playbooks:
          default:  { notify: true, deadline: PT72H, reminder: PT36H, onDeadline: escalate }
          spam:     { notify: true, deadline: PT48H, reminder: PT24H, onDeadline: suspend, dryRun: false }
          phishing: { notify: true, deadline: PT24H, reminder: PT12H, onDeadline: suspend }
        safeties:
          manualReviewAfterCustomerAge: P90D
          reinstatementGrace: P7D
          maxAutomatedSuspensionsPerHour: 20
        digestWindow: PT24H
        """;

    /// <summary>A minimal valid file with <paramref name="extra"/> appended under <c>playbooks:</c>.</summary>
    private static string WithPlaybook(string extra) => $"""
        playbooks:
          default: {"{"} notify: true, deadline: PT72H, reminder: PT36H, onDeadline: escalate {"}"}
          {extra}
        """;

    private static string Error(string yaml) =>
        Assert.Throws<PlaybookConfigException>(() => PlaybookYaml.Parse(yaml)).Message;

    [Fact]
    public void The_shipped_playbooks_file_states_exactly_the_built_in_defaults()
    {
        var path = Path.Combine(RepoRoot(), "src", "Functions", "playbooks.yaml");

        var parsed = PlaybookYaml.Parse(File.ReadAllText(path));

        var defaults = PlaybookSet.Defaults;
        Assert.Equal(defaults.Default, parsed.Default);
        foreach (var abuseClass in Enum.GetValues<AbuseClass>())
        {
            Assert.Equal(defaults.For(abuseClass), parsed.For(abuseClass));
        }

        Assert.Equal(defaults.ByClass.Keys.Order(), parsed.ByClass.Keys.Order());
        Assert.Equal(defaults.Safeties, parsed.Safeties);
        Assert.Equal(defaults.DigestWindow, parsed.DigestWindow);
    }

    [Fact]
    public void The_defaults_match_what_the_architecture_promises()
    {
        var defaults = PlaybookSet.Defaults;

        Assert.Equal(new Playbook(true, TimeSpan.FromHours(48), TimeSpan.FromHours(24), DeadlineAction.Suspend), defaults.For(AbuseClass.Spam));
        Assert.Equal(TimeSpan.FromHours(24), defaults.For(AbuseClass.Phishing).Deadline);
        Assert.Equal(TimeSpan.FromHours(48), defaults.For(AbuseClass.Bruteforce).Deadline);
        Assert.Equal(TimeSpan.FromHours(72), defaults.For(AbuseClass.Copyright).Deadline);
        Assert.True(defaults.For(AbuseClass.VulnerableService).Notify);
        Assert.Null(defaults.For(AbuseClass.VulnerableService).Deadline);
        Assert.Null(defaults.For(AbuseClass.VulnerableService).Reminder);
        Assert.Equal(TimeSpan.FromDays(90), defaults.Safeties.ManualReviewAfterCustomerAge);
        foreach (var abuseClass in Enum.GetValues<AbuseClass>())
        {
            // Reminder at half time wherever there is a deadline.
            var playbook = defaults.For(abuseClass);
            Assert.Equal(playbook.Deadline / 2, playbook.Reminder);
        }
    }

    [Fact]
    public void The_contract_example_parses()
    {
        var parsed = PlaybookYaml.Parse(ContractExample);

        Assert.Equal(new Playbook(true, TimeSpan.FromHours(72), TimeSpan.FromHours(36), DeadlineAction.Escalate), parsed.Default);
        Assert.Equal(new Playbook(true, TimeSpan.FromHours(48), TimeSpan.FromHours(24), DeadlineAction.Suspend, DryRun: false), parsed.For(AbuseClass.Spam));
        Assert.Equal(new Playbook(true, TimeSpan.FromHours(24), TimeSpan.FromHours(12), DeadlineAction.Suspend), parsed.For(AbuseClass.Phishing));
        // Classes the file does not name use the file's default.
        Assert.Equal(parsed.Default, parsed.For(AbuseClass.Malware));
        Assert.Equal(parsed.Default, parsed.For(AbuseClass.VulnerableService));
        Assert.Equal(new Safeties(TimeSpan.FromDays(90), TimeSpan.FromDays(7), 20), parsed.Safeties);
        Assert.Equal(TimeSpan.FromHours(24), parsed.DigestWindow);
    }

    [Fact]
    public void Every_key_is_read()
    {
        var parsed = PlaybookYaml.Parse("""
            playbooks:
              default:
                notify: false
                deadline: PT10H
                reminder: PT30M
                onDeadline: close
                dryRun: true
                resolutionNeedsApproval: true
              c2: { deadline: P1DT12H, reminder: PT1H30M, onDeadline: suspend }
              vulnerable-service: { deadline: ~, reminder: null }
            safeties:
              manualReviewAfterCustomerAge: P30D
              reinstatementGrace: PT36H
              maxAutomatedSuspensionsPerHour: 0
            digestWindow: PT30S
            """);

        Assert.Equal(new Playbook(false, TimeSpan.FromHours(10), TimeSpan.FromMinutes(30), DeadlineAction.Close, DryRun: true, ResolutionNeedsApproval: true), parsed.Default);
        Assert.Equal(new Playbook(true, TimeSpan.FromHours(36), TimeSpan.FromMinutes(90), DeadlineAction.Suspend), parsed.For(AbuseClass.Botnet));
        Assert.Null(parsed.For(AbuseClass.VulnerableService).Deadline);
        Assert.Null(parsed.For(AbuseClass.VulnerableService).Reminder);
        Assert.Equal(new Safeties(TimeSpan.FromDays(30), TimeSpan.FromHours(36), 0), parsed.Safeties);
        Assert.Equal(TimeSpan.FromSeconds(30), parsed.DigestWindow);
    }

    [Fact]
    public void A_class_entry_overrides_only_the_keys_it_names()
    {
        var parsed = PlaybookYaml.Parse(WithPlaybook("spam: { onDeadline: escalate }"));

        Assert.Equal(PlaybookSet.Defaults.For(AbuseClass.Spam) with { OnDeadline = DeadlineAction.Escalate }, parsed.For(AbuseClass.Spam));
    }

    [Fact]
    public void Safeties_and_digest_window_fall_back_to_the_defaults()
    {
        var parsed = PlaybookYaml.Parse(WithPlaybook(""));

        Assert.Equal(PlaybookSet.Defaults.Safeties, parsed.Safeties);
        Assert.Equal(PlaybookSet.Defaults.DigestWindow, parsed.DigestWindow);
    }

    [Theory]
    [InlineData("spamm: { notify: true }", "playbooks.spamm: unknown abuse class")]
    [InlineData("Default2: { notify: true }", "playbooks.Default2: unknown abuse class")]
    public void An_unknown_class_is_named(string entry, string expected)
    {
        var error = Error(WithPlaybook(entry));

        Assert.StartsWith(expected, error, StringComparison.Ordinal);
        Assert.Contains("vulnerable-service", error, StringComparison.Ordinal); // and the known ones are listed
    }

    [Theory]
    [InlineData("spam: { notfy: true }", "playbooks.spam.notfy: unknown key")]
    [InlineData("spam: { deadLine: PT4H }", "playbooks.spam.deadLine: unknown key")]
    [InlineData("phishing: { notify: true, suspend: true }", "playbooks.phishing.suspend: unknown key")]
    public void An_unknown_playbook_key_is_named(string entry, string expected)
    {
        Assert.StartsWith(expected, Error(WithPlaybook(entry)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("playbook: {}", "playbook: unknown key")]
    [InlineData("digest: PT1H", "digest: unknown key")]
    [InlineData("safeties:\n  maxSuspensions: 3", "safeties.maxSuspensions: unknown key")]
    public void An_unknown_key_outside_the_playbooks_is_named(string extra, string expected)
    {
        var yaml = WithPlaybook("") + "\n" + extra;

        Assert.StartsWith(expected, Error(yaml), StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_root_key_lists_the_known_ones()
    {
        Assert.Equal("reopenWindows: unknown key (expected playbooks, safeties, digestWindow, reopenWindow)", Error(WithPlaybook("") + "\nreopenWindows: P7D"));
    }

    // ---- reopen window -----------------------------------------------------------------------------

    [Fact]
    public void Without_a_reopen_window_ended_cases_never_reopen()
    {
        Assert.Null(PlaybookYaml.Parse(WithPlaybook("")).ReopenWindow);
        Assert.Null(PlaybookYaml.Parse(ContractExample).ReopenWindow);
    }

    [Theory]
    [InlineData("P14D", 14 * 24)]
    [InlineData("PT36H", 36)]
    public void The_reopen_window_is_an_ISO_duration(string value, int hours)
    {
        Assert.Equal(TimeSpan.FromHours(hours), PlaybookYaml.Parse(WithPlaybook("") + $"\nreopenWindow: {value}").ReopenWindow);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("~")]
    [InlineData("null")]
    public void The_reopen_window_can_be_switched_off_explicitly(string value)
    {
        Assert.Null(PlaybookYaml.Parse(WithPlaybook("") + $"\nreopenWindow: {value}").ReopenWindow);
    }

    [Theory]
    [InlineData("reopenWindow: 7 days", "reopenWindow: '7 days' is not an ISO 8601 duration such as PT48H or P7D")]
    [InlineData("reopenWindow: PT0S", "reopenWindow: 'PT0S' must be positive")]
    [InlineData("reopenWindow: -P1D", "reopenWindow: '-P1D' must be positive")]
    [InlineData("reopenWindow: [P7D]", "reopenWindow: must be a single value")]
    public void A_bad_reopen_window_is_named(string extra, string expected)
    {
        Assert.Equal(expected, Error(WithPlaybook("") + "\n" + extra));
    }

    [Theory]
    [InlineData("spam: { deadline: 48h }", "playbooks.spam.deadline: '48h' is not an ISO 8601 duration")]
    [InlineData("spam: { deadline: '48', reminder: ~ }", "playbooks.spam.deadline: '48' is not an ISO 8601 duration")]
    [InlineData("spam: { reminder: 1 day }", "playbooks.spam.reminder: '1 day' is not an ISO 8601 duration")]
    [InlineData("spam: { deadline: P2X }", "playbooks.spam.deadline: 'P2X' is not an ISO 8601 duration")]
    [InlineData("spam: { deadline: true }", "playbooks.spam.deadline: 'true' is not an ISO 8601 duration")]
    public void A_bad_duration_is_named(string entry, string expected)
    {
        Assert.StartsWith(expected, Error(WithPlaybook(entry)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("digestWindow: 1h", "digestWindow: '1h' is not an ISO 8601 duration")]
    [InlineData("safeties: { reinstatementGrace: 7 days }", "safeties.reinstatementGrace: '7 days' is not an ISO 8601 duration")]
    [InlineData("safeties: { manualReviewAfterCustomerAge: ~ }", "safeties.manualReviewAfterCustomerAge: '~' is not an ISO 8601 duration")]
    public void A_bad_duration_outside_the_playbooks_is_named(string extra, string expected)
    {
        Assert.StartsWith(expected, Error(WithPlaybook("") + "\n" + extra), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("spam: { deadline: PT0S, reminder: ~ }", "playbooks.spam.deadline: 'PT0S' must be positive")]
    [InlineData("spam: { deadline: P0D, reminder: ~ }", "playbooks.spam.deadline: 'P0D' must be positive")]
    [InlineData("spam: { deadline: -PT48H, reminder: ~ }", "playbooks.spam.deadline: '-PT48H' must be positive")]
    [InlineData("spam: { reminder: -PT1H }", "playbooks.spam.reminder: '-PT1H' must be positive")]
    public void A_non_positive_duration_is_named(string entry, string expected)
    {
        Assert.Equal(expected, Error(WithPlaybook(entry)));
    }

    [Fact]
    public void A_non_positive_digest_window_is_named()
    {
        Assert.Equal("digestWindow: 'PT0S' must be positive", Error(WithPlaybook("") + "\ndigestWindow: PT0S"));
    }

    [Fact]
    public void A_duration_too_large_for_a_time_span_is_named_not_thrown_raw()
    {
        var error = Error(WithPlaybook("") + "\ndigestWindow: P99999999999D");

        Assert.StartsWith("digestWindow: ", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("spam: { deadline: PT24H, reminder: PT24H }", "playbooks.spam.reminder")]
    [InlineData("spam: { deadline: PT24H, reminder: PT25H }", "playbooks.spam.reminder")]
    [InlineData("spam: { deadline: PT12H }", "playbooks.spam.reminder")] // inherits spam's 24h reminder
    [InlineData("spam: { deadline: ~, reminder: PT1H }", "playbooks.spam.reminder")]
    public void A_reminder_not_shorter_than_the_deadline_is_named(string entry, string path)
    {
        Assert.Equal($"{path}: must be shorter than the deadline", Error(WithPlaybook(entry)));
    }

    [Fact]
    public void A_reminder_in_the_default_not_shorter_than_its_deadline_is_named()
    {
        var error = Error("playbooks:\n  default: { deadline: PT1H, reminder: PT2H }");

        Assert.Equal("playbooks.default.reminder: must be shorter than the deadline", error);
    }

    [Theory]
    [InlineData("playbooks:\n  spam: { notify: true }")]
    [InlineData("playbooks: {}")]
    [InlineData("safeties: { reinstatementGrace: P7D }")]
    [InlineData("digestWindow: PT1H")]
    public void A_missing_default_is_named(string yaml)
    {
        Assert.StartsWith("playbooks.default: missing", Error(yaml), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("spam: { notify: yes }", "playbooks.spam.notify: 'yes' must be true or false")]
    [InlineData("spam: { notify: 1 }", "playbooks.spam.notify: '1' must be true or false")]
    [InlineData("spam: { dryRun: maybe }", "playbooks.spam.dryRun: 'maybe' must be true or false")]
    [InlineData("spam: { resolutionNeedsApproval: '' }", "playbooks.spam.resolutionNeedsApproval: '' must be true or false")]
    public void A_bad_bool_is_named(string entry, string expected)
    {
        Assert.Equal(expected, Error(WithPlaybook(entry)));
    }

    [Theory]
    [InlineData("spam: { onDeadline: kill }", "playbooks.spam.onDeadline: 'kill' is not one of suspend, escalate, close")]
    [InlineData("spam: { onDeadline: Suspend }", "playbooks.spam.onDeadline: 'Suspend' is not one of suspend, escalate, close")]
    [InlineData("spam: { onDeadline: terminate }", "playbooks.spam.onDeadline: 'terminate' is not one of suspend, escalate, close")]
    public void A_bad_deadline_action_is_named(string entry, string expected)
    {
        Assert.Equal(expected, Error(WithPlaybook(entry)));
    }

    [Theory]
    [InlineData("safeties: { maxAutomatedSuspensionsPerHour: -1 }")]
    [InlineData("safeties: { maxAutomatedSuspensionsPerHour: lots }")]
    [InlineData("safeties: { maxAutomatedSuspensionsPerHour: 2.5 }")]
    public void A_bad_suspension_limit_is_named(string extra)
    {
        Assert.Equal("safeties.maxAutomatedSuspensionsPerHour: must be a whole number >= 0", Error(WithPlaybook("") + "\n" + extra));
    }

    [Theory]
    [InlineData("spam: [notify, true]", "playbooks.spam: must be a mapping")]
    [InlineData("spam: suspend", "playbooks.spam: must be a mapping")]
    [InlineData("spam: { notify: [true] }", "playbooks.spam.notify: must be a single value")]
    public void A_wrongly_shaped_playbook_is_named(string entry, string expected)
    {
        Assert.Equal(expected, Error(WithPlaybook(entry)));
    }

    [Theory]
    [InlineData("playbooks: [default]", "playbooks: must be a mapping")]
    [InlineData("- playbooks", "the file must be a mapping")]
    [InlineData("just text", "the file must be a mapping")]
    [InlineData("", "the file must be a mapping")]
    [InlineData("# only a comment\n", "the file must be a mapping")]
    public void A_wrongly_shaped_file_is_named(string yaml, string expected)
    {
        Assert.StartsWith(expected, Error(yaml), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("playbooks:\n\tdefault: {}")]
    [InlineData("playbooks:\n  default: { notify: true }\n   spam: x\n  - y")]
    [InlineData("playbooks: { default: { notify: true }")]
    [InlineData("playbooks:\n  default: { notify: true }\n  spam: 'unterminated")]
    [InlineData("playbooks:\n  default: &a { notify: true }\n  spam: *b")]
    public void Invalid_YAML_is_reported_with_its_line(string yaml)
    {
        Assert.Matches(@"^line \d+: .+", Error(yaml));
    }

    /// <summary>
    /// An unclosed flow mapping that runs into the next line makes YamlDotNet's scanner throw a bare
    /// InvalidOperationException ("Operation is not valid due to the current state of the object.") instead
    /// of a YamlException. Start-up must still stop with a playbook error, not that message.
    /// </summary>
    [Fact]
    public void An_unclosed_flow_mapping_is_a_playbook_error_not_a_raw_exception()
    {
        var error = Error("playbooks:\n  default: { notify: true\n  spam: {}");

        Assert.DoesNotContain("current state of the object", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_duplicate_key_is_an_error_not_a_silent_override()
    {
        // Two spam entries: which one wins is exactly the kind of silent surprise the strict reader is there to stop.
        var yaml = WithPlaybook("spam: { deadline: PT48H, reminder: PT24H }\n  spam: { deadline: PT1H, reminder: PT30M }");

        Assert.Throws<PlaybookConfigException>(() => PlaybookYaml.Parse(yaml));
    }
}
