using System.Globalization;
using AbuseDesk.Domain.Portal;

namespace AbuseDesk.Domain.Tests.Portal;

/// <summary>v2 links carry their issue time so ops can withdraw them; v1 links in old mails still open their case.</summary>
public class CaseLinkTokenV2Tests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Issued = Now.AddMinutes(-5).AddMilliseconds(123);
    private static readonly DateTimeOffset Expiry = Now.AddDays(30);
    private static readonly byte[] KeyA = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    private static readonly Dictionary<string, byte[]> Keys = new() { ["k1"] = KeyA };

    private const string CaseId = "20261120-0123456789ab";

    private static string Token(DateTimeOffset? issued = null, DateTimeOffset? expires = null) =>
        CaseLinkToken.Create(CaseId, issued ?? Issued, expires ?? Expiry, "k1", KeyA);

    private static string ReplacePart(string token, int index, string value)
    {
        var parts = token.Split('.');
        parts[index] = value;
        return string.Join('.', parts);
    }

    [Fact]
    public void A_v2_token_has_the_documented_shape_and_verifies_with_its_issue_time()
    {
        var token = Token();

        var parts = token.Split('.');
        Assert.Equal(6, parts.Length);
        Assert.Equal("v2", parts[0]);
        Assert.Equal(Issued.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture), parts[3]);
        Assert.Matches("^[A-Za-z0-9._-]+$", token);
        Assert.Equal(new TokenResult(TokenCheck.Valid, CaseId, Expiry, Issued), CaseLinkToken.Verify(token, Keys, Now));
    }

    [Fact]
    public void The_issue_time_is_signed()
    {
        var token = Token();
        var later = Now.AddDays(1).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

        Assert.Equal(TokenCheck.Invalid, CaseLinkToken.Verify(ReplacePart(token, 3, later), Keys, Now).Check);
        Assert.Equal(TokenCheck.Invalid, CaseLinkToken.Verify(ReplacePart(token, 3, "-1"), Keys, Now).Check);
        Assert.Equal(TokenCheck.Invalid, CaseLinkToken.Verify(ReplacePart(token, 3, "99999999999999999"), Keys, Now).Check);
        // Relabelled as v1 with the issue time dropped: the signature covered the v2 payload.
        var parts = token.Split('.');
        var asV1 = string.Join('.', "v1", parts[1], parts[2], parts[4], parts[5]);
        Assert.Equal(TokenCheck.Invalid, CaseLinkToken.Verify(asV1, Keys, Now).Check);
    }

    [Fact]
    public void A_v2_token_expires_like_a_v1_token()
    {
        var token = Token(expires: Now);

        var result = CaseLinkToken.Verify(token, Keys, Now);

        Assert.Equal(TokenCheck.Expired, result.Check);
        Assert.Equal(CaseId, result.CaseId);
    }

    [Fact]
    public void A_v1_token_still_verifies_without_an_issue_time()
    {
        var v1 = CaseLinkToken.Create(CaseId, Expiry, "k1", KeyA);

        Assert.Equal(new TokenResult(TokenCheck.Valid, CaseId, Expiry, null), CaseLinkToken.Verify(v1, Keys, Now));
    }

    [Fact]
    public void Links_issued_up_to_the_revocation_are_withdrawn_and_later_ones_work()
    {
        var before = CaseLinkToken.Verify(Token(issued: Issued), Keys, Now);
        var atTheMark = CaseLinkToken.Verify(Token(issued: Issued.AddMinutes(1)), Keys, Now);
        var after = CaseLinkToken.Verify(Token(issued: Issued.AddMinutes(1).AddMilliseconds(1)), Keys, Now);
        var mark = Issued.AddMinutes(1);

        Assert.Equal(TokenCheck.Revoked, before.RevokedBy(mark).Check);
        Assert.Equal(TokenCheck.Revoked, atTheMark.RevokedBy(mark).Check);
        Assert.Equal(TokenCheck.Valid, after.RevokedBy(mark).Check);
        Assert.Equal(TokenCheck.Valid, before.RevokedBy(null).Check);
        Assert.Equal(CaseId, before.RevokedBy(mark).CaseId);
    }

    [Fact]
    public void Any_revocation_withdraws_v1_links_which_carry_no_issue_time()
    {
        var v1 = CaseLinkToken.Verify(CaseLinkToken.Create(CaseId, Expiry, "k1", KeyA), Keys, Now);

        Assert.Equal(TokenCheck.Valid, v1.RevokedBy(null).Check);
        Assert.Equal(TokenCheck.Revoked, v1.RevokedBy(DateTimeOffset.UnixEpoch).Check);
    }

    [Fact]
    public void Revocation_does_not_turn_invalid_or_expired_links_into_revoked_ones()
    {
        var expired = CaseLinkToken.Verify(Token(expires: Now.AddSeconds(-1)), Keys, Now);
        var invalid = CaseLinkToken.Verify("garbage", Keys, Now);

        Assert.Equal(TokenCheck.Expired, expired.RevokedBy(Now).Check);
        Assert.Equal(TokenCheck.Invalid, invalid.RevokedBy(Now).Check);
    }

    [Theory]
    [InlineData("v2.k1.20261120-0123456789ab.1.1795000000")]
    [InlineData("v2.k1.20261120-0123456789ab.x.1795000000.abc")]
    [InlineData("v2.k1.20261120-0123456789ab.1.1795000000.abc.def")]
    [InlineData("v2.k1.20261120-0123456789ab..1795000000.abc")]
    public void Malformed_v2_tokens_are_invalid(string token)
    {
        Assert.Equal(TokenCheck.Invalid, CaseLinkToken.Verify(token, Keys, Now).Check);
    }
}
