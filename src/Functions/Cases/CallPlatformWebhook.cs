using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AbuseDesk.Functions.Hosting;
using Microsoft.Extensions.Options;

namespace AbuseDesk.Functions.Cases;

/// <summary>
/// platform-webhook: POSTs a suspension/reinstatement/termination to the provider's platform, signed with
/// HMAC-SHA256 over "{timestamp}.{body}" (header <c>X-AbuseDesk-Signature: sha256=&lt;hex&gt;</c>, timestamp in
/// <c>X-AbuseDesk-Timestamp</c>) so the receiver can check origin and reject replays. A non-2xx answer fails
/// the invocation: retried, then poisoned for ops to see.
/// </summary>
public sealed class CallPlatformWebhook(IHttpClientFactory http, IOptions<AbuseDeskOptions> options, TimeProvider clock)
{
    public async Task RunAsync(TriggerInput input, CancellationToken cancellationToken)
    {
        var platform = options.Value.Platform;
        if (string.IsNullOrEmpty(platform.WebhookUrl))
        {
            return;
        }

        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var body = input.Payload;
        var signature = Sign(platform.WebhookSecret ?? "", timestamp, body);
        using var request = new HttpRequestMessage(HttpMethod.Post, platform.WebhookUrl)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-AbuseDesk-Timestamp", timestamp);
        request.Headers.Add("X-AbuseDesk-Signature", $"sha256={signature}");
        using var response = await http.CreateClient("platform").SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"platform webhook answered {(int)response.StatusCode}");
        }
    }

    public static string Sign(string secret, string timestamp, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}")));
}
