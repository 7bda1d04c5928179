using System.Globalization;

namespace AbuseDesk.Domain.Ownership;

/// <summary>
/// Reads the allocation import (<c>cidr,customerId,resourceId,contactEmail,customerSince[,language]</c>). The file is
/// validated as a whole: one bad row rejects the import, and every problem is reported with its line. The optional
/// <c>language</c> column picks the customer's mail language (empty: English).
/// </summary>
public static class AllocationCsv
{
    public static readonly string[] Header = ["cidr", "customerId", "resourceId", "contactEmail", "customerSince"];

    public const string LanguageColumn = "language";

    public const int MaxErrorsReported = 50;

    public sealed record Result(IReadOnlyList<Allocation> Allocations, IReadOnlyList<string> Errors)
    {
        public bool Ok => Errors.Count == 0;
    }

    /// <param name="mailLanguages">
    /// The languages the desk writes mail in, and the one an empty language column means (Notifications'
    /// MailLanguages, passed in so that ownership does not depend on the mail templates).
    /// </param>
    public static Result Parse(TextReader reader, (IReadOnlyList<string> Known, string Default) mailLanguages)
    {
        var allocations = new List<Allocation>();
        var errors = new List<string>();
        var seen = new Dictionary<IpPrefix, int>();
        var lineNumber = 0;
        var headerSeen = false;
        var columns = Header.Length;

        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line) || line.TrimStart().StartsWith('#'))
            {
                continue;
            }

            var fields = SplitFields(line);
            if (!headerSeen)
            {
                headerSeen = true;
                var names = fields.Select(f => f.Trim()).ToList();
                if (names.Count == Header.Length + 1 && string.Equals(names[^1], LanguageColumn, StringComparison.OrdinalIgnoreCase))
                {
                    names.RemoveAt(names.Count - 1);
                    columns = Header.Length + 1;
                }

                if (!names.SequenceEqual(Header, StringComparer.OrdinalIgnoreCase))
                {
                    errors.Add($"line {lineNumber}: header must be '{string.Join(',', Header)}'");
                    break;
                }

                continue;
            }

            if (errors.Count >= MaxErrorsReported)
            {
                errors.Add($"line {lineNumber}: stopped after {MaxErrorsReported} errors");
                break;
            }

            // With the optional language column, a row may leave its trailing language cell out entirely.
            if (fields.Count != columns && fields.Count != Header.Length)
            {
                errors.Add($"line {lineNumber}: expected {columns} fields, found {fields.Count}");
                continue;
            }

            var (cidr, customerId, resourceId, email, since) = (fields[0].Trim(), fields[1].Trim(), fields[2].Trim(), fields[3].Trim(), fields[4].Trim());
            if (!IpPrefix.TryParse(cidr, out var prefix, out var cidrError))
            {
                errors.Add($"line {lineNumber}: {cidrError}");
                continue;
            }

            if (!IsIdentifier(customerId))
            {
                errors.Add($"line {lineNumber}: customerId '{customerId}' must be 1-64 letters, digits, '-', '_' or '.'");
                continue;
            }

            if (!IsIdentifier(resourceId))
            {
                errors.Add($"line {lineNumber}: resourceId '{resourceId}' must be 1-64 letters, digits, '-', '_' or '.'");
                continue;
            }

            if (ContactAddress.Problem(email) is { } addressProblem)
            {
                errors.Add($"line {lineNumber}: contactEmail '{ContactAddress.Shown(email)}' {addressProblem}");
                continue;
            }

            if (!DateOnly.TryParseExact(since, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var customerSince))
            {
                errors.Add($"line {lineNumber}: customerSince '{since}' must be a date (yyyy-MM-dd)");
                continue;
            }

            var language = fields.Count > Header.Length ? fields[Header.Length].Trim() : "";
            if (language.Length > 0 && !mailLanguages.Known.Contains(language.ToLowerInvariant(), StringComparer.Ordinal))
            {
                errors.Add($"line {lineNumber}: language '{language}' is not one of {string.Join(", ", mailLanguages.Known)} (leave it empty for {mailLanguages.Default})");
                continue;
            }

            if (seen.TryGetValue(prefix, out var firstLine))
            {
                errors.Add($"line {lineNumber}: {prefix} is already allocated on line {firstLine}");
                continue;
            }

            seen[prefix] = lineNumber;
            allocations.Add(new Allocation(prefix, customerId, resourceId, email, customerSince, language.Length > 0 ? language.ToLowerInvariant() : mailLanguages.Default));
        }

        if (!headerSeen)
        {
            errors.Add($"line 1: the file is empty; header must be '{string.Join(',', Header)}'");
        }
        else if (errors.Count == 0 && allocations.Count == 0)
        {
            // Replacing the table with nothing would unroute every report: surely a mistake, never done silently.
            errors.Add("the file has a header but no allocations; refusing to empty the allocation table");
        }

        return new Result(allocations, errors);
    }

    /// <summary>Minimal RFC 4180 splitting: quoted fields may hold commas and doubled quotes.</summary>
    private static List<string> SplitFields(string line)
    {
        var fields = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    current.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }

        fields.Add(current.ToString());
        return fields;
    }

    // Identifiers become Table Storage keys: keep them to characters that are safe there and in URLs.
    public static bool IsIdentifier(string value) =>
        value.Length is > 0 and <= 64 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
