using System.Xml;
using AbuseDesk.Domain.Parsing;
using YamlDotNet.RepresentationModel;

namespace AbuseDesk.Domain.Cases;

/// <summary>
/// Reads the ops team's playbook file. Strict on purpose: an unknown key or a bad duration stops
/// start-up with the key path and the problem, because a silently ignored typo in a playbook is a
/// customer suspended on the wrong schedule.
/// </summary>
public static class PlaybookYaml
{
    public static PlaybookSet Parse(string yaml)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlDotNet.Core.YamlException ex)
        {
            throw new PlaybookConfigException($"line {ex.Start.Line}: {ex.Message}");
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet throws this bare for some malformed flow mappings (an unclosed '{').
            throw new PlaybookConfigException("invalid YAML: a mapping or list is not closed; check for an unclosed '{' or '['");
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new PlaybookConfigException("the file must be a mapping with a 'playbooks' key");
        }

        var defaults = PlaybookSet.Defaults;
        Playbook? defaultPlaybook = null;
        var byClass = new Dictionary<AbuseClass, Playbook>();
        var safeties = defaults.Safeties;
        var digestWindow = defaults.DigestWindow;
        var reopenWindow = defaults.ReopenWindow;

        foreach (var (keyNode, valueNode) in root.Children)
        {
            var key = Scalar(keyNode, "(root)");
            switch (key)
            {
                case "playbooks":
                    foreach (var (classNode, playbookNode) in Mapping(valueNode, "playbooks").Children)
                    {
                        var className = Scalar(classNode, "playbooks");
                        if (className == "default")
                        {
                            defaultPlaybook = ReadPlaybook(playbookNode, "playbooks.default", defaults.Default);
                        }
                        else if (AbuseClasses.TryParse(className, out var abuseClass))
                        {
                            byClass[abuseClass] = ReadPlaybook(playbookNode, $"playbooks.{className}", defaults.For(abuseClass));
                        }
                        else
                        {
                            throw new PlaybookConfigException($"playbooks.{className}: unknown abuse class (known: default, {string.Join(", ", AbuseClasses.WireNames)})");
                        }
                    }

                    break;
                case "safeties":
                    safeties = ReadSafeties(valueNode, safeties);
                    break;
                case "digestWindow":
                    digestWindow = Duration(valueNode, "digestWindow");
                    break;
                case "reopenWindow":
                    // Absent or none: an ended case never reopens, new events open a new case.
                    reopenWindow = OptionalDuration(valueNode, "reopenWindow");
                    break;
                default:
                    throw new PlaybookConfigException($"{key}: unknown key (expected playbooks, safeties, digestWindow, reopenWindow)");
            }
        }

        if (defaultPlaybook is null)
        {
            throw new PlaybookConfigException("playbooks.default: missing (every class without its own playbook uses it)");
        }

        return new PlaybookSet(defaultPlaybook, byClass, safeties, digestWindow, reopenWindow);
    }

    private static Playbook ReadPlaybook(YamlNode node, string path, Playbook fallback)
    {
        var playbook = fallback;
        foreach (var (keyNode, valueNode) in Mapping(node, path).Children)
        {
            var key = Scalar(keyNode, path);
            var at = $"{path}.{key}";
            playbook = key switch
            {
                "notify" => playbook with { Notify = Bool(valueNode, at) },
                "deadline" => playbook with { Deadline = OptionalDuration(valueNode, at) },
                "reminder" => playbook with { Reminder = OptionalDuration(valueNode, at) },
                "onDeadline" => playbook with { OnDeadline = Scalar(valueNode, at) switch
                {
                    "suspend" => DeadlineAction.Suspend,
                    "escalate" => DeadlineAction.Escalate,
                    "close" => DeadlineAction.Close,
                    var other => throw new PlaybookConfigException($"{at}: '{other}' is not one of suspend, escalate, close"),
                } },
                "dryRun" => playbook with { DryRun = Bool(valueNode, at) },
                "resolutionNeedsApproval" => playbook with { ResolutionNeedsApproval = Bool(valueNode, at) },
                _ => throw new PlaybookConfigException($"{at}: unknown key (expected notify, deadline, reminder, onDeadline, dryRun, resolutionNeedsApproval)"),
            };
        }

        if (playbook.Reminder is { } reminder && (playbook.Deadline is not { } deadline || reminder >= deadline))
        {
            throw new PlaybookConfigException($"{path}.reminder: must be shorter than the deadline");
        }

        return playbook;
    }

    private static Safeties ReadSafeties(YamlNode node, Safeties safeties)
    {
        foreach (var (keyNode, valueNode) in Mapping(node, "safeties").Children)
        {
            var key = Scalar(keyNode, "safeties");
            var at = $"safeties.{key}";
            safeties = key switch
            {
                "manualReviewAfterCustomerAge" => safeties with { ManualReviewAfterCustomerAge = Duration(valueNode, at) },
                "reinstatementGrace" => safeties with { ReinstatementGrace = Duration(valueNode, at) },
                "maxAutomatedSuspensionsPerHour" => safeties with
                {
                    MaxAutomatedSuspensionsPerHour = int.TryParse(Scalar(valueNode, at), out var n) && n >= 0
                        ? n
                        : throw new PlaybookConfigException($"{at}: must be a whole number >= 0"),
                },
                _ => throw new PlaybookConfigException($"{at}: unknown key (expected manualReviewAfterCustomerAge, reinstatementGrace, maxAutomatedSuspensionsPerHour)"),
            };
        }

        return safeties;
    }

    private static YamlMappingNode Mapping(YamlNode node, string path) =>
        node as YamlMappingNode ?? throw new PlaybookConfigException($"{path}: must be a mapping");

    private static string Scalar(YamlNode node, string path) =>
        (node as YamlScalarNode)?.Value ?? throw new PlaybookConfigException($"{path}: must be a single value");

    private static bool Bool(YamlNode node, string path) => Scalar(node, path) switch
    {
        "true" => true,
        "false" => false,
        var other => throw new PlaybookConfigException($"{path}: '{other}' must be true or false"),
    };

    private static TimeSpan? OptionalDuration(YamlNode node, string path) =>
        node is YamlScalarNode { Value: null or "" or "null" or "~" or "none" } ? null : Duration(node, path);

    /// <summary>ISO 8601 durations (PT48H, P90D, PT30S), as CONTRACT.md promises.</summary>
    private static TimeSpan Duration(YamlNode node, string path)
    {
        var text = Scalar(node, path);
        try
        {
            var value = XmlConvert.ToTimeSpan(text);
            return value > TimeSpan.Zero ? value : throw new PlaybookConfigException($"{path}: '{text}' must be positive");
        }
        catch (FormatException)
        {
            throw new PlaybookConfigException($"{path}: '{text}' is not an ISO 8601 duration such as PT48H or P7D");
        }
    }
}

public sealed class PlaybookConfigException(string message) : Exception(message);
