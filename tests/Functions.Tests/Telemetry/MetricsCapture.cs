using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using AbuseDesk.Functions.Telemetry;

namespace AbuseDesk.Functions.Tests.Telemetry;

/// <summary>Listens to the AbuseDesk meter the way an exporter does, with the BCL's MeterListener.</summary>
internal sealed class MetricsCapture : IDisposable
{
    private readonly MeterListener _listener = new();

    public MetricsCapture()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == DeskMetrics.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    public ConcurrentQueue<Recorded> Measurements { get; } = new();

    public sealed record Recorded(string Name, string? Unit, double Value, IReadOnlyDictionary<string, string?> Tags);

    public IReadOnlyList<Recorded> Named(string name) => Measurements.Where(m => m.Name == name).ToList();

    public void Observe() => _listener.RecordObservableInstruments();

    public void Dispose() => _listener.Dispose();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var dims = new Dictionary<string, string?>();
        foreach (var tag in tags)
        {
            dims[tag.Key] = tag.Value?.ToString();
        }

        Measurements.Enqueue(new Recorded(instrument.Name, instrument.Unit, value, dims));
    }
}
