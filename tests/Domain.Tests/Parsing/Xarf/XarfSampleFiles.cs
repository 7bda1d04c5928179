using System.Text.Json.Nodes;
using AbuseDesk.Domain.Parsing;

namespace AbuseDesk.Domain.Tests.Parsing.Xarf;

/// <summary>
/// The XARF samples written for these tests (TestData/xarf, documentation addresses only) and variants
/// of them: one field replaced or removed, addressed by a path such as "Report.Samples[0].Payload".
/// </summary>
internal static class XarfSampleFiles
{
    /// <summary>Passed as the new value to remove the field instead.</summary>
    public const string Remove = "<remove>";

    public static string PathOf(string name) => TestPaths.TestData("xarf", name);

    public static string Text(string name) => File.ReadAllText(PathOf(name));

    public static ParseOutcome Parse(string name) =>
        ReportParsing.File(PathOf(name), name.EndsWith(".eml", StringComparison.Ordinal) ? ReportParsing.Mail : ReportParsing.Json);

    public static ParseOutcome ParseJson(string json) => ReportParsing.Text(json, ReportParsing.Json);

    /// <summary>The sample with the field at <paramref name="path"/> set to <paramref name="json"/> (JSON text) or removed.</summary>
    public static string Variant(string name, string path, string json) => Change(Text(name), path, json);

    /// <summary>The JSON document with the field at <paramref name="path"/> set to <paramref name="json"/> or removed.</summary>
    public static string Change(string document, string path, string json)
    {
        var root = JsonNode.Parse(document)!;
        var steps = Steps(path);
        var owner = root;
        foreach (var step in steps[..^1])
        {
            owner = step is int index ? owner[index]! : owner[(string)step]!;
        }

        var value = json == Remove ? null : JsonNode.Parse(json);
        switch (steps[^1])
        {
            case int index when json == Remove:
                owner.AsArray().RemoveAt(index);
                break;
            case int index:
                owner[index] = value;
                break;
            case string property when json == Remove:
                owner.AsObject().Remove(property);
                break;
            case string property:
                owner[property] = value;
                break;
        }

        return root.ToJsonString();
    }

    /// <summary>"Report.Samples[0].Payload" → "Report", "Samples", 0, "Payload".</summary>
    private static object[] Steps(string path)
    {
        var steps = new List<object>();
        foreach (var part in path.Split('.'))
        {
            var bracket = part.IndexOf('[', StringComparison.Ordinal);
            steps.Add(bracket < 0 ? part : part[..bracket]);
            while (bracket >= 0)
            {
                var close = part.IndexOf(']', bracket);
                steps.Add(int.Parse(part[(bracket + 1)..close], System.Globalization.CultureInfo.InvariantCulture));
                bracket = part.IndexOf('[', close);
            }
        }

        return [.. steps];
    }
}
