using System.Text;

namespace AbuseDesk.Domain.Parsing.Mail;

internal static class Slug
{
    private const int MaxLength = 48;

    /// <summary>"Shadowserver Botnet Drone" → "shadowserver-botnet-drone": a reporter's label as a report type suffix.</summary>
    public static string Of(string? text)
    {
        var slug = new StringBuilder(MaxLength);
        var dash = false;
        foreach (var c in text ?? string.Empty)
        {
            if (slug.Length >= MaxLength)
            {
                break;
            }

            if (char.IsAsciiLetterOrDigit(c))
            {
                if (dash && slug.Length > 0)
                {
                    slug.Append('-');
                }

                slug.Append(char.ToLowerInvariant(c));
                dash = false;
            }
            else
            {
                dash = true;
            }
        }

        var result = slug.Length > MaxLength ? slug.ToString(0, MaxLength).TrimEnd('-') : slug.ToString();
        return result.Length == 0 ? "other" : result;
    }
}
