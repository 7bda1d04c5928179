namespace AbuseDesk.Domain.Parsing.Shadowserver;

/// <summary>
/// The decompressed bytes of one zip entry, checked as they are read against a cap on the total and on the
/// ratio to the compressed bytes actually consumed. Declared sizes are never trusted for this: a zip bomb
/// declares whatever it likes. Passing a limit throws <see cref="ReportRejectedException"/> from the read,
/// which surfaces from the event enumeration.
/// </summary>
internal sealed class ZipEntryContent : ForwardReadStream
{
    private readonly Stream _data;
    private readonly PeekedStream _compressed;
    private readonly long _compressedStart;
    private readonly long? _declaredLength;
    private readonly ShadowserverLimits _limits;
    private readonly string _shownName;
    private long _total;

    public ZipEntryContent(Stream data, PeekedStream compressed, string name, long? declaredLength, ShadowserverLimits limits)
    {
        _data = data;
        _compressed = compressed;
        _compressedStart = compressed.BytesRead;
        _declaredLength = declaredLength;
        _limits = limits;
        Name = name;
        _shownName = EvidenceExcerpt.Flatten(name, 100);
    }

    /// <summary>The entry's name as stored in the zip (may include folders).</summary>
    public string Name { get; }

    public override int Read(Span<byte> buffer)
    {
        int read;
        try
        {
            read = _data.Read(buffer);
        }
        catch (InvalidDataException ex)
        {
            throw new ReportRejectedException($"zip entry '{_shownName}' is corrupt: {ex.Message}");
        }

        _total += read;
        if (_total > _limits.MaxEntryBytes)
        {
            throw new ReportRejectedException(
                $"zip entry '{_shownName}' exceeds {_limits.MaxEntryBytes} bytes decompressed (possible zip bomb)");
        }

        var compressed = Math.Max(_compressed.BytesRead - _compressedStart, _limits.CompressionRatioFloorBytes);
        if (_total > compressed * _limits.MaxCompressionRatio)
        {
            throw new ReportRejectedException(
                $"zip entry '{_shownName}' exceeds a compression ratio of {_limits.MaxCompressionRatio}:1, "
                + $"{_total} bytes from {_compressed.BytesRead - _compressedStart} compressed (possible zip bomb)");
        }

        if (read == 0 && buffer.Length > 0 && _declaredLength is { } declared && declared != _total)
        {
            throw new ReportRejectedException(
                $"zip entry '{_shownName}' is truncated or corrupt: {declared} bytes declared, {_total} read");
        }

        return read;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _data.Dispose();
        }

        base.Dispose(disposing);
    }
}
