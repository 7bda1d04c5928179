using AbuseDesk.Functions.Hosting;
using AbuseDesk.Functions.Storage;

namespace AbuseDesk.Functions.Feedback;

/// <summary>reporter-feedback: tells reporters who asked what their reports came to (docs/feedback.md).</summary>
public sealed class RunReporterFeedback(SendReportParsedFeedback parsed, SendCasesEndedFeedback ended, SendFeedbackDigest digest)
{
    public async Task RunAsync(TriggerInput input, CancellationToken cancellationToken)
    {
        var message = Json.Deserialize<ReporterFeedbackMessage>(input.Payload);
        switch (message.Kind)
        {
            case ReporterFeedbackMessage.ReportSettled:
                await parsed.RunAsync(message.ReportId ?? throw new InvalidOperationException("report-settled message without reportId"), cancellationToken);
                break;
            case ReporterFeedbackMessage.CaseEnded:
                await ended.RunAsync(message.CaseId ?? throw new InvalidOperationException("case-ended message without caseId"), cancellationToken);
                break;
            case ReporterFeedbackMessage.WindowDue:
                await digest.RunAsync(
                    message.ReporterId ?? throw new InvalidOperationException("window-due message without reporterId"),
                    message.Batch ?? throw new InvalidOperationException("window-due message without batch"),
                    message.DueAt,
                    input.Payload,
                    cancellationToken);
                break;
            default:
                throw new InvalidOperationException($"unknown reporter-feedback message kind '{message.Kind}'");
        }
    }
}
