namespace AbuseDesk.Benchmarks.Fuzz;

/// <summary>
/// One request the fuzz run sends. <see cref="Raw"/> inputs bypass HttpClient (it would refuse to send broken
/// framing) and go over a socket as given; <see cref="Chunked"/> bodies are sent without a Content-Length;
/// <see cref="TrickleBytesPerSecond"/> sends the body slowly and then stalls, as a slow client would.
/// </summary>
public sealed record FuzzInput(
    int Index,
    string Kind,
    string Method,
    string Path,
    byte[] Body,
    string? ContentType = null,
    IReadOnlyList<KeyValuePair<string, string>>? Headers = null,
    bool Chunked = false,
    bool Raw = false,
    int TrickleBytesPerSecond = 0);

/// <summary>What came back: the status, or a transport failure (no status) with its reason.</summary>
public sealed record FuzzOutcome(int Status, string? ReportId, string? Failure, TimeSpan Elapsed);

/// <summary>A seed body and how it is normally sent.</summary>
public sealed record Seed(string Name, byte[] Body, string ContentType, string? FileName);
