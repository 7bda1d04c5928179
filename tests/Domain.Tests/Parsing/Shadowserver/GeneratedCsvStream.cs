using System.Text;

namespace AbuseDesk.Domain.Tests.Parsing.Shadowserver;

/// <summary>A scan-report-like CSV of any length, generated as it is read so the test holds none of it.</summary>
internal sealed class GeneratedCsvStream(int rows) : Stream
{
    private static readonly byte[] Header = Encoding.ASCII.GetBytes(
        "\"timestamp\",\"ip\",\"protocol\",\"port\",\"hostname\",\"tag\",\"asn\",\"geo\",\"region\",\"city\",\"naics\",\"sic\",\"sector\",\"serverid\",\"server_version\",\"server_cipher\",\"server_mac\",\"auth_methods\"\n");

    private byte[] _pending = Header;
    private int _pendingPosition;
    private int _row;

    public long BytesServed { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var written = 0;
        while (written < count)
        {
            if (_pendingPosition == _pending.Length)
            {
                if (_row == rows)
                {
                    break;
                }

                _row++;
                _pending = Encoding.ASCII.GetBytes(
                    $"\"2026-11-20 00:{_row / 60 % 60:00}:{_row % 60:00}\",\"10.{_row >> 16 & 255}.{_row >> 8 & 255}.{_row & 255}\",\"tcp\",22,"
                    + $"\"host-{_row}.example.net\",\"ssh\",64496,\"ZZ\",\"EXAMPLE REGION\",\"EXAMPLE CITY\",517311,0,"
                    + "\"Communications, Service Provider, and Hosting Service\",\"SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.10\",\"OpenSSH_8.9p1\","
                    + "\"aes128-ctr,aes192-ctr,aes256-ctr,aes128-gcm@openssh.com\",\"hmac-sha2-256,hmac-sha2-512\",\"publickey,password\"\n");
                _pendingPosition = 0;
            }

            var length = Math.Min(count - written, _pending.Length - _pendingPosition);
            Array.Copy(_pending, _pendingPosition, buffer, offset + written, length);
            _pendingPosition += length;
            written += length;
        }

        BytesServed += written;
        return written;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
