namespace AbuseDesk.Domain.Tests.Parsing.Shadowserver;

/// <summary>
/// Serves its content one line per read, like a slow network source, and can fail with an I/O error once
/// a number of lines have been served: a parser that streams has produced events for them by then.
/// </summary>
internal sealed class TrickleStream(byte[] content, int failAfterLines = int.MaxValue) : Stream
{
    private int _position;
    private int _linesServed;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public int LinesServed => _linesServed;

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (_linesServed >= failAfterLines)
        {
            throw new IOException($"connection lost after {_linesServed} lines");
        }

        if (_position >= content.Length || count == 0)
        {
            return 0;
        }

        var newline = Array.IndexOf(content, (byte)'\n', _position);
        var lineEnd = newline < 0 ? content.Length : newline + 1;
        var length = Math.Min(count, lineEnd - _position);
        Array.Copy(content, _position, buffer, offset, length);
        _position += length;
        if (_position == lineEnd)
        {
            _linesServed++;
        }

        return length;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
