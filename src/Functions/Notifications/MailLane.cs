namespace AbuseDesk.Functions.Notifications;

/// <summary>Which queue a mail travels and how it takes the rate: notices first, feedback with what they leave.</summary>
public enum MailLane
{
    /// <summary>email-outbox: customer notices, digests and ops messages.</summary>
    Notice,

    /// <summary>feedback-outbox: reporter feedback, sent only when no notice needs the token.</summary>
    Feedback,
}
