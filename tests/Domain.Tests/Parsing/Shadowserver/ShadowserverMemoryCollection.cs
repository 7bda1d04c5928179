namespace AbuseDesk.Domain.Tests.Parsing.Shadowserver;

/// <summary>Tests that measure the process's heap run in this collection, alone, after all others.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public class ShadowserverMemoryCollection
{
    public const string Name = "Shadowserver memory";
}
