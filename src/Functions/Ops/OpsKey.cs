using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace AbuseDesk.Functions.Ops;

/// <summary>The ops key check: <c>x-functions-key</c> header or <c>?code=</c>, compared in constant time.</summary>
public sealed class OpsKey(IOptions<AbuseDeskOptions> options)
{
    public bool IsValid(HttpRequest request)
    {
        var expected = options.Value.Ops.Key;
        if (string.IsNullOrEmpty(expected))
        {
            return false;
        }

        var given = request.Headers["x-functions-key"].FirstOrDefault() ?? request.Query["code"].FirstOrDefault();
        return given is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected));
    }
}
