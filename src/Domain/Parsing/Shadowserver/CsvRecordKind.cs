namespace AbuseDesk.Domain.Parsing.Shadowserver;

/// <summary>What <see cref="CsvRecordReader.Read"/> found.</summary>
internal enum CsvRecordKind
{
    /// <summary>A record; its fields are readable until the next <see cref="CsvRecordReader.Read"/>.</summary>
    Record,

    /// <summary>A record longer than the limit, passed over without being kept.</summary>
    TooLong,

    /// <summary>No more records.</summary>
    End,
}
