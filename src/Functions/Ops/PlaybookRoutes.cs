using System.Globalization;
using AbuseDesk.Domain.Cases;
using AbuseDesk.Domain.Parsing;
using Microsoft.Extensions.Options;

namespace AbuseDesk.Functions.Ops;

/// <summary>
/// What is in force, read-only: the playbooks as loaded at start-up (changing them is a configuration change and
/// a restart, reviewed like code), with durations in the ISO 8601 form the file uses.
/// </summary>
public static class PlaybookRoutes
{
    internal static IResult Get(PlaybookSet playbooks, IOptions<AbuseDeskOptions> options)
    {
        var configured = new Dictionary<string, object> { ["default"] = View(playbooks.Default) };
        foreach (var (abuseClass, playbook) in playbooks.ByClass.OrderBy(p => p.Key.ToWireName(), StringComparer.Ordinal))
        {
            configured[abuseClass.ToWireName()] = View(playbook);
        }

        return Results.Json(new
        {
            source = Path.GetFileName(options.Value.Playbooks),
            playbooks = configured,
            // Every class of the taxonomy and the playbook it gets, so "which classes fall back to default" needs no reasoning.
            effective = Enum.GetValues<AbuseClass>().ToDictionary(c => c.ToWireName(), c => playbooks.ByClass.ContainsKey(c) ? c.ToWireName() : "default"),
            safeties = new
            {
                manualReviewAfterCustomerAge = Iso(playbooks.Safeties.ManualReviewAfterCustomerAge),
                reinstatementGrace = Iso(playbooks.Safeties.ReinstatementGrace),
                maxAutomatedSuspensionsPerHour = playbooks.Safeties.MaxAutomatedSuspensionsPerHour,
            },
            digestWindow = Iso(playbooks.DigestWindow),
            reopenWindow = playbooks.ReopenWindow is { } reopen ? Iso(reopen) : null,
        });
    }

    private static object View(Playbook p) => new
    {
        notify = p.Notify,
        deadline = p.Deadline is { } deadline ? Iso(deadline) : null,
        reminder = p.Reminder is { } reminder ? Iso(reminder) : null,
        onDeadline = p.OnDeadline.ToString().ToLowerInvariant(),
        dryRun = p.DryRun,
        resolutionNeedsApproval = p.ResolutionNeedsApproval,
    };

    /// <summary>
    /// ISO 8601 the way people write playbooks: hours under a week (PT48H, not P2D), days from a week up (P90D).
    /// </summary>
    public static string Iso(TimeSpan duration)
    {
        if (duration < TimeSpan.Zero)
        {
            return "-" + Iso(-duration);
        }

        var text = new System.Text.StringBuilder("P");
        var days = duration.Days >= 7 ? duration.Days : 0;
        if (days > 0)
        {
            text.Append(days.ToString(CultureInfo.InvariantCulture)).Append('D');
        }

        var rest = duration - TimeSpan.FromDays(days);
        if (rest > TimeSpan.Zero || days == 0)
        {
            text.Append('T');
            var hours = (long)rest.TotalHours;
            if (hours > 0)
            {
                text.Append(hours.ToString(CultureInfo.InvariantCulture)).Append('H');
            }

            if (rest.Minutes > 0)
            {
                text.Append(rest.Minutes.ToString(CultureInfo.InvariantCulture)).Append('M');
            }

            var seconds = rest.Seconds + (rest.Milliseconds / 1000m);
            if (seconds > 0 || (hours == 0 && rest.Minutes == 0))
            {
                text.Append(seconds.ToString("0.###", CultureInfo.InvariantCulture)).Append('S');
            }
        }

        return text.ToString();
    }
}

/// <summary>GET /api/ops/playbooks</summary>
public sealed class GetPlaybooks(OpsEndpoint endpoint, PlaybookSet playbooks, IOptions<AbuseDeskOptions> options)
{
    [Function(nameof(GetPlaybooks))]
    public Task<IResult> RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/ops/playbooks")] HttpRequest request) =>
        endpoint.RunAsync(request, () => PlaybookRoutes.Get(playbooks, options));
}
