using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace AbuseDesk.Domain.Parsing.Shadowserver;

/// <summary>
/// Finds the first .csv entry of a zip by walking its local file headers from the front, and opens it as a
/// stream of decompressed bytes. Reading from the front needs neither a seekable source nor a copy in
/// memory or on disk (ZipArchive buffers a non-seekable source whole), so a zip streams like a plain CSV.
/// </summary>
/// <remarks>
/// Sizes in the headers are not trusted for safety: <see cref="ZipEntryContent"/> counts what it actually
/// decompresses. They serve only to pass over entries before the CSV and to notice a truncated entry.
/// Entries before the CSV whose sizes follow their data (bit 3) cannot be passed over this way; Shadowserver
/// zips hold the CSV alone, so such archives are refused rather than guessed at.
/// </remarks>
internal static class ZipCsvEntry
{
    private const uint LocalHeaderSignature = 0x04034B50;
    private const uint CentralHeaderSignature = 0x02014B50;
    private const uint EndOfCentralDirectorySignature = 0x06054B50;
    private const int LocalHeaderLength = 30;
    private const ushort Zip64ExtraField = 0x0001;
    private const ushort Stored = 0;
    private const ushort Deflated = 8;

    /// <summary>A local file header or an empty archive's end record.</summary>
    public static bool IsZip(ReadOnlySpan<byte> head) =>
        head.Length >= 4
        && BinaryPrimitives.ReadUInt32LittleEndian(head) is LocalHeaderSignature or EndOfCentralDirectorySignature;

    /// <summary>Opens the first .csv entry, or returns null with the reason the zip cannot be read.</summary>
    public static ZipEntryContent? Open(PeekedStream zip, ShadowserverLimits limits, out string? error)
    {
        Span<byte> header = stackalloc byte[LocalHeaderLength];
        for (var skipped = 0; ; skipped++)
        {
            if (skipped > limits.MaxZipEntriesSkipped)
            {
                error = $"the zip holds no .csv entry among its first {limits.MaxZipEntriesSkipped} entries";
                return null;
            }

            var read = zip.ReadAtLeast(header, LocalHeaderLength, throwOnEndOfStream: false);
            var signature = read >= 4 ? BinaryPrimitives.ReadUInt32LittleEndian(header) : 0;
            if (signature is CentralHeaderSignature or EndOfCentralDirectorySignature)
            {
                error = "the zip holds no .csv entry";
                return null;
            }

            if (read < LocalHeaderLength || signature != LocalHeaderSignature)
            {
                error = "the zip is truncated or corrupt: no local file header where one was expected";
                return null;
            }

            var flags = BinaryPrimitives.ReadUInt16LittleEndian(header[6..]);
            var method = BinaryPrimitives.ReadUInt16LittleEndian(header[8..]);
            long compressedSize = BinaryPrimitives.ReadUInt32LittleEndian(header[18..]);
            long uncompressedSize = BinaryPrimitives.ReadUInt32LittleEndian(header[22..]);
            var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(header[26..]);
            var extraLength = BinaryPrimitives.ReadUInt16LittleEndian(header[28..]);

            var nameBytes = new byte[nameLength];
            var extra = new byte[extraLength];
            if (zip.ReadAtLeast(nameBytes, nameLength, throwOnEndOfStream: false) < nameLength
                || zip.ReadAtLeast(extra, extraLength, throwOnEndOfStream: false) < extraLength)
            {
                error = "the zip is truncated: a local file header is cut short";
                return null;
            }

            var encrypted = (flags & 0x0001) != 0;
            var sizesFollowData = (flags & 0x0008) != 0;
            var name = ((flags & 0x0800) != 0 ? Encoding.UTF8 : Encoding.Latin1).GetString(nameBytes);
            var shownName = EvidenceExcerpt.Flatten(name, 100);
            ReadZip64Sizes(extra, ref compressedSize, ref uncompressedSize);
            var sizesKnown = !sizesFollowData;

            if (name.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
            {
                if (encrypted)
                {
                    error = $"zip entry '{shownName}' is encrypted";
                    return null;
                }

                Stream data;
                if (method == Deflated)
                {
                    data = new DeflateStream(zip, CompressionMode.Decompress, leaveOpen: true);
                }
                else if (method == Stored && sizesKnown)
                {
                    data = new LengthLimitedStream(zip, compressedSize);
                }
                else
                {
                    error = method == Stored
                        ? $"zip entry '{shownName}' is stored without its size"
                        : $"zip entry '{shownName}' uses compression method {method}; only deflate and stored are read";
                    return null;
                }

                error = null;
                return new ZipEntryContent(data, zip, name, sizesKnown ? uncompressedSize : null, limits);
            }

            if (!sizesKnown)
            {
                error = $"zip entry '{shownName}' comes before the .csv entry and does not state its size, so it cannot be passed over";
                return null;
            }

            if (!Skip(zip, compressedSize))
            {
                error = $"the zip is truncated inside entry '{shownName}'";
                return null;
            }
        }
    }

    /// <summary>Sizes of 0xFFFFFFFF mean "see the zip64 extra field", which lists the uncompressed size first.</summary>
    private static void ReadZip64Sizes(ReadOnlySpan<byte> extra, ref long compressedSize, ref long uncompressedSize)
    {
        while (extra.Length >= 4)
        {
            var id = BinaryPrimitives.ReadUInt16LittleEndian(extra);
            var length = BinaryPrimitives.ReadUInt16LittleEndian(extra[2..]);
            if (4 + length > extra.Length)
            {
                return;
            }

            var data = extra.Slice(4, length);
            if (id == Zip64ExtraField)
            {
                if (uncompressedSize == uint.MaxValue && data.Length >= 8)
                {
                    uncompressedSize = BinaryPrimitives.ReadInt64LittleEndian(data);
                    data = data[8..];
                }

                if (compressedSize == uint.MaxValue && data.Length >= 8)
                {
                    compressedSize = BinaryPrimitives.ReadInt64LittleEndian(data);
                }

                return;
            }

            extra = extra[(4 + length)..];
        }
    }

    private static bool Skip(Stream zip, long count)
    {
        if (count < 0)
        {
            return false;
        }

        var scratch = new byte[(int)Math.Min(count, 64 * 1024)];
        while (count > 0)
        {
            var read = zip.Read(scratch, 0, (int)Math.Min(count, scratch.Length));
            if (read == 0)
            {
                return false;
            }

            count -= read;
        }

        return true;
    }
}
