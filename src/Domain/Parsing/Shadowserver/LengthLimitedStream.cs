namespace AbuseDesk.Domain.Parsing.Shadowserver;

/// <summary>The next <c>length</c> bytes of a stream (a stored zip entry), leaving the inner stream open.</summary>
internal sealed class LengthLimitedStream(Stream inner, long length) : ForwardReadStream
{
    private long _remaining = length;

    public override int Read(Span<byte> buffer)
    {
        if (_remaining <= 0 || buffer.IsEmpty)
        {
            return 0;
        }

        var read = inner.Read(buffer[..(int)Math.Min(buffer.Length, _remaining)]);
        _remaining -= read;
        return read;
    }
}
