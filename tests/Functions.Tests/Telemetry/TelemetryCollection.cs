namespace AbuseDesk.Functions.Tests.Telemetry;

/// <summary>
/// The meter and activity source are process-wide: tests that record or listen to them run one at a time, so one
/// test's measurements never land in another's listener.
/// </summary>
[CollectionDefinition(Name)]
public sealed class TelemetryCollection
{
    public const string Name = "Telemetry";
}
