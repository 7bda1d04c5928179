using Microsoft.Extensions.Options;

namespace AbuseDesk.Functions.Ops;

/// <summary>
/// Who is acting. With App Service authentication on, the platform sets X-MS-CLIENT-PRINCIPAL-NAME and strips
/// any client-sent copy, so it cannot be forged; without it, the actor named in the request is recorded.
/// </summary>
public static class OpsActor
{
    public static string? From(HttpRequest request, string? named)
    {
        var trusted = request.HttpContext.RequestServices.GetRequiredService<IOptions<AbuseDeskOptions>>().Value.Ops.TrustPrincipalHeader;
        var principal = trusted ? request.Headers["X-MS-CLIENT-PRINCIPAL-NAME"].FirstOrDefault() : null;
        var actor = (principal ?? named)?.Trim();
        return string.IsNullOrEmpty(actor) || actor.Length > 200 ? null : actor;
    }
}
