using AbuseDesk.Domain.Cases;
using Microsoft.Extensions.Options;

namespace AbuseDesk.Functions.Cases;

/// <summary>Loads the playbook file once at start; an invalid file stops start-up naming the key and the problem.</summary>
public static class PlaybookProvider
{
    public static PlaybookSet Load(IOptions<AbuseDeskOptions> options)
    {
        var path = options.Value.Playbooks;
        if (!Path.IsPathRooted(path))
        {
            path = Path.Combine(AppContext.BaseDirectory, path);
        }

        if (!File.Exists(path))
        {
            throw new PlaybookConfigException($"playbook file '{path}' does not exist");
        }

        try
        {
            return PlaybookYaml.Parse(File.ReadAllText(path));
        }
        catch (PlaybookConfigException ex)
        {
            throw new PlaybookConfigException($"{path}: {ex.Message}");
        }
    }
}
