using System.ComponentModel.DataAnnotations;

namespace AbuseDesk.Functions.Feedback;

/// <summary>The "AbuseDesk:Feedback" section: how reporter feedback is gathered (docs/feedback.md). Validated at start.</summary>
public sealed class FeedbackOptions
{
    public const string Section = "AbuseDesk:Feedback";

    /// <summary>
    /// Feedback owed to one reporter within this long of the first item goes out as one mail. Longer windows mean
    /// fewer mails and later news; a reporter waits at most this (plus whatever the customer notices take first).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "AbuseDesk:Feedback:Window must be from 00:00:01 to 1.00:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Reports listed in one mail at most; a window with more sends several. Bounded so a mail fits its row.</summary>
    [Range(1, 60)]
    public int MaxReportsPerMail { get; set; } = 40;
}
