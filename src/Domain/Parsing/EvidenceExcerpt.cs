using System.Globalization;
using System.Text;

namespace AbuseDesk.Domain.Parsing;

/// <summary>
/// Builds an event's evidence as "Name: value" lines of plain text. Values come from attacker-controlled
/// reports: each is flattened to one line and shortened, so one huge or multi-line field can neither
/// crowd out the others nor forge extra lines.
/// </summary>
internal sealed class EvidenceExcerpt
{
    private const int MaxValueLength = 512;

    private readonly StringBuilder _text = new();

    public EvidenceExcerpt Add(string name, string? value)
    {
        var flattened = Flatten(value);
        if (flattened.Length > 0)
        {
            _text.Append(name).Append(": ").Append(flattened).Append('\n');
        }

        return this;
    }

    public EvidenceExcerpt AddHeading(string heading)
    {
        _text.Append(heading).Append('\n');
        return this;
    }

    public string? Build() => _text.Length == 0 ? null : ReportEvent.BoundEvidence(_text.ToString().TrimEnd('\n'));

    /// <summary>One line, no control characters, at most <see cref="MaxValueLength"/> characters.</summary>
    public static string Flatten(string? value, int maxLength = MaxValueLength)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return string.Empty;
        }

        var builder = new StringBuilder(Math.Min(value.Length, maxLength + 1));
        var pendingSpace = false;
        foreach (var c in value)
        {
            if (char.GetUnicodeCategory(c) == UnicodeCategory.Format)
            {
                // Bidi overrides and zero-width characters only serve to disguise text.
                continue;
            }

            if (char.IsControl(c) || char.IsWhiteSpace(c))
            {
                pendingSpace = builder.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                builder.Append(' ');
                pendingSpace = false;
            }

            builder.Append(c);
            if (builder.Length >= maxLength)
            {
                var cut = maxLength - 1;
                if (char.IsHighSurrogate(builder[cut - 1]))
                {
                    cut--;
                }

                builder.Length = cut;
                builder.Append('…');
                break;
            }
        }

        return builder.ToString();
    }
}
