using System.Xml;
using System.Xml.Linq;

namespace AbuseDesk.Domain.Parsing.Mail;

/// <summary>
/// Reads the XML that reporters embed in mails (ACNS notices, Safe Browsing reports) without trusting it:
/// no DTD (so no entity expansion, external or recursive), no resolver (so nothing is fetched), and a
/// bound on the document's size.
/// </summary>
internal static class SafeXml
{
    public const int MaxDocumentChars = 1_000_000;

    // How far before the root element an XML declaration or DOCTYPE belonging to it may start.
    private const int PrologWindow = 4096;

    private const int MaxSegments = 4;

    private static readonly string[] Prologs = ["<?xml", "<!DOCTYPE"];

    private static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersInDocument = MaxDocumentChars,
        MaxCharactersFromEntities = 1024,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        IgnoreWhitespace = true,
        CloseInput = true,
    };

    public static XDocument? TryLoad(string xml, out string? error)
    {
        error = null;
        try
        {
            using var reader = XmlReader.Create(new StringReader(xml), Settings);
            return XDocument.Load(reader, LoadOptions.None);
        }
        catch (XmlException ex)
        {
            // .NET's wording for a refused DTD tells the reader how to enable it; say why it is refused instead.
            error = ex.Message.Contains("DTD", StringComparison.Ordinal)
                ? "it declares a DTD, which is refused because a DTD can expand entities and fetch files"
                : EvidenceExcerpt.Flatten(ex.Message, 300);
            return null;
        }
    }

    /// <summary>
    /// The XML documents with root <paramref name="rootName"/> found inside <paramref name="text"/> (a mail
    /// body quoting the XML between prose, or an attachment that is only the XML), with their declaration
    /// and any DOCTYPE, so that a DOCTYPE is refused rather than silently cut off.
    /// </summary>
    public static IEnumerable<string> Segments(string text, string rootName)
    {
        var open = "<" + rootName;
        var close = "</" + rootName + ">";
        var from = 0;
        for (var found = 0; found < MaxSegments && from < text.Length; found++)
        {
            var root = IndexOfElement(text, open, from);
            if (root < 0)
            {
                yield break;
            }

            var windowStart = Math.Max(from, root - PrologWindow);
            var start = root;
            foreach (var prolog in Prologs)
            {
                var at = text.LastIndexOf(prolog, root, root - windowStart, StringComparison.OrdinalIgnoreCase);
                if (at >= 0 && at < start)
                {
                    start = at;
                }
            }

            var end = text.IndexOf(close, root, StringComparison.Ordinal);
            end = end < 0 ? text.Length : end + close.Length;
            yield return text[start..Math.Min(end, start + MaxDocumentChars + 1)];
            from = end;
        }
    }

    /// <summary>"&lt;Name" followed by white space, "&gt;" or "/", so "&lt;Infringement" does not match "&lt;InfringementX".</summary>
    private static int IndexOfElement(string text, string open, int from)
    {
        while (from < text.Length)
        {
            var at = text.IndexOf(open, from, StringComparison.Ordinal);
            if (at < 0)
            {
                return -1;
            }

            var next = at + open.Length;
            if (next == text.Length || char.IsWhiteSpace(text[next]) || text[next] is '>' or '/')
            {
                return at;
            }

            from = next;
        }

        return -1;
    }

    public static XElement? Child(this XElement? element, string localName) =>
        element?.Elements().FirstOrDefault(e => e.Name.LocalName == localName);

    public static IEnumerable<XElement> Children(this XElement? element, string localName) =>
        element?.Elements().Where(e => e.Name.LocalName == localName) ?? [];

    public static string? Text(this XElement? element) =>
        element is null || element.HasElements ? null : element.Value.Trim() is { Length: > 0 } value ? value : null;

    public static string? AttributeText(this XElement? element, string localName) =>
        element?.Attributes().FirstOrDefault(a => a.Name.LocalName == localName)?.Value.Trim() is { Length: > 0 } value ? value : null;
}
