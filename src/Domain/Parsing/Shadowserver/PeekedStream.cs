namespace AbuseDesk.Domain.Parsing.Shadowserver;

/// <summary>
/// A stream whose first bytes were read to recognise it (a zip signature) and are served again, so the
/// content need not be seekable. Does not own the inner stream: the caller of the parser does.
/// </summary>
internal sealed class PeekedStream : ForwardReadStream
{
    private readonly Stream _inner;
    private readonly byte[] _head;
    private readonly int _headLength;
    private int _headPosition;
    private long _position;

    private PeekedStream(Stream inner, byte[] head, int headLength)
    {
        _inner = inner;
        _head = head;
        _headLength = headLength;
    }

    /// <summary>The first bytes (fewer when the content is shorter).</summary>
    public ReadOnlySpan<byte> Head => _head.AsSpan(0, _headLength);

    /// <summary>Bytes read through this stream so far.</summary>
    public long BytesRead => _position;

    public static PeekedStream Open(Stream inner, int headLength)
    {
        var head = new byte[headLength];
        var read = inner.ReadAtLeast(head, headLength, throwOnEndOfStream: false);
        return new PeekedStream(inner, head, read);
    }

    public override int Read(Span<byte> buffer)
    {
        int read;
        if (_headPosition < _headLength)
        {
            read = Math.Min(buffer.Length, _headLength - _headPosition);
            _head.AsSpan(_headPosition, read).CopyTo(buffer);
            _headPosition += read;
        }
        else
        {
            read = _inner.Read(buffer);
        }

        _position += read;
        return read;
    }
}
