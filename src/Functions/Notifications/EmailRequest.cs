namespace AbuseDesk.Functions.Notifications;

/// <summary>The email-outbox message: send the mail stored in this case's row.</summary>
public sealed record EmailRequest(string CaseId, string MailRow);
