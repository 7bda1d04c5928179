using System.Text.Json;
using AbuseDesk.Functions.Hosting;

namespace AbuseDesk.Functions.Ops;

/// <summary>
/// Who does an ops action and why. Routes whose body is JSON read <c>actor</c> and <c>reason</c> from it; routes
/// without a JSON body (a CSV upload, a bare POST) from <c>?actor=&amp;reason=</c>. Either way the authenticated
/// principal wins when App Service authentication is trusted (<see cref="OpsActor"/>).
/// </summary>
public sealed record OpsIntent(string Actor, string? Reason)
{
    public const int MaxReasonLength = 2000;

    private sealed record Body(string? Actor, string? Reason);

    /// <summary>The intent, or a 400 problem naming the missing or bad field.</summary>
    public static async Task<(OpsIntent? Intent, IResult? Problem)> ReadAsync(HttpContext context, bool reasonRequired)
    {
        var request = context.Request;
        string? named = request.Query["actor"].FirstOrDefault();
        string? reason = request.Query["reason"].FirstOrDefault();
        if (request.HasJsonContentType())
        {
            try
            {
                var body = await request.ReadFromJsonAsync<Body>(context.RequestAborted);
                named = body?.Actor ?? named;
                reason = body?.Reason ?? reason;
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException)
            {
                return (null, Problems.BadRequest($"Body must be JSON: {{\"actor\":\"...\",\"reason\":\"...\"}} ({ex.Message})"));
            }
        }

        return Validate(request, named, reason, reasonRequired);
    }

    /// <summary>For routes that parsed their own body: checks the actor and reason it carried.</summary>
    public static (OpsIntent? Intent, IResult? Problem) Validate(HttpRequest request, string? named, string? reason, bool reasonRequired)
    {
        var actor = OpsActor.From(request, named);
        if (actor is null)
        {
            return (null, Problems.BadRequest("'actor' is required (1-200 characters): every ops action records who did it. With App Service authentication it comes from the signed-in principal."));
        }

        reason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();
        if (reasonRequired && reason is null)
        {
            return (null, Problems.BadRequest("'reason' is required: this action is recorded with why it was taken."));
        }

        if (reason is { Length: > MaxReasonLength })
        {
            return (null, Problems.BadRequest($"'reason' is limited to {MaxReasonLength} characters."));
        }

        return (new OpsIntent(actor, reason), null);
    }
}
