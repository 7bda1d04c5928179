namespace AbuseDesk.Domain.Parsing.Mail;

/// <summary>
/// A mail's headers pasted flat onto one line, as web mail and phones do when a person copies "show original"
/// into a reply: "Received: by … Received: from host ([192.0.2.1]) by mx … Received-SPF: pass (…) client-ip=…".
/// Split back into its fields so that each Received header's from clause is read as one, and the receiving
/// side's hosts (the "by" clauses, the recipient's internal hops) are not taken for the sender.
/// </summary>
internal static class PastedHeaderLine
{
    // Fields people paste with the Received chain. A field name only counts at the start of the line or after
    // white space, followed by ": ", so prose ("Subject: spam") on its own line is not split.
    private static readonly string[] FieldNames =
    [
        "Received", "X-Received", "Received-SPF", "Authentication-Results", "ARC-Authentication-Results", "ARC-Seal",
        "ARC-Message-Signature", "DKIM-Signature", "X-Google-Smtp-Source", "Return-Path", "Delivered-To", "From", "To",
        "Subject", "Date", "Message-ID", "Message-Id", "Reply-To", "X-Originating-IP", "X-Sender-IP", "MIME-Version",
        "Content-Type", "X-Mailer", "List-Unsubscribe",
    ];

    // Fields whose addresses are the receiving side's own (internal hops, signatures): never the sender.
    private static readonly HashSet<string> ReceiverFields = new(StringComparer.OrdinalIgnoreCase)
    {
        "X-Received", "ARC-Seal", "ARC-Message-Signature", "DKIM-Signature", "X-Google-Smtp-Source", "Delivered-To",
    };

    /// <summary>One field of the line: its name and where its value lies in the line.</summary>
    internal readonly record struct Field(string Name, int Start, int End)
    {
        public bool IsReceived => Name.Equals("Received", StringComparison.OrdinalIgnoreCase);

        /// <summary>A field that names only the receiving side's hosts.</summary>
        public bool IsReceivers => ReceiverFields.Contains(Name);
    }

    /// <summary>
    /// The fields of a line holding at least two header fields, one of them a Received header; null for any
    /// other line (a single header, prose), which is read as before.
    /// </summary>
    public static List<Field>? Split(ReadOnlySpan<char> line)
    {
        if (line.IndexOf("Received: ", StringComparison.Ordinal) < 0)
        {
            return null;
        }

        var starts = new List<(string Name, int NameStart, int ValueStart)>();
        for (var i = 0; i < line.Length; i++)
        {
            if (i > 0 && !char.IsWhiteSpace(line[i - 1]))
            {
                continue;
            }

            foreach (var name in FieldNames)
            {
                var valueStart = i + name.Length + 2;
                if (valueStart <= line.Length && line[i..].StartsWith(name, StringComparison.Ordinal)
                    && line[i + name.Length] == ':' && line[i + name.Length + 1] == ' ')
                {
                    starts.Add((name, i, valueStart));
                    i = valueStart - 1;
                    break;
                }
            }
        }

        if (starts.Count < 2 || !starts.Any(s => s.Name == "Received"))
        {
            return null;
        }

        var fields = new List<Field>(starts.Count);
        for (var k = 0; k < starts.Count; k++)
        {
            var end = k + 1 < starts.Count ? starts[k + 1].NameStart : line.Length;
            fields.Add(new Field(starts[k].Name, starts[k].ValueStart, end));
        }

        return fields;
    }
}
