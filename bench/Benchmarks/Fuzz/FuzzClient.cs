using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace AbuseDesk.Benchmarks.Fuzz;

/// <summary>
/// Sends fuzz inputs. Well-formed HTTP goes through HttpClient; broken framing, slow bodies and header values
/// HttpClient refuses (CR/LF) go over a raw socket, written byte for byte.
/// </summary>
public sealed partial class FuzzClient : IDisposable
{
    private readonly Uri _baseUri;
    private readonly string _reporterKey;
    private readonly string _opsKey;
    private readonly HttpClient _http;

    public FuzzClient(Uri baseUri, string reporterKey, string opsKey, int connections)
    {
        _baseUri = baseUri;
        _reporterKey = reporterKey;
        _opsKey = opsKey;
        _http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
        })
        { BaseAddress = baseUri, Timeout = TimeSpan.FromMinutes(3) };
    }

    public void Dispose() => _http.Dispose();

    private string Fill(string value) =>
        value.Replace(FuzzInputs.ReporterKey, _reporterKey, StringComparison.Ordinal).Replace(FuzzInputs.OpsKey, _opsKey, StringComparison.Ordinal);

    public async Task<FuzzOutcome> SendAsync(FuzzInput input)
    {
        var clock = Stopwatch.StartNew();
        var headers = (input.Headers ?? []).Select(h => new KeyValuePair<string, string>(h.Key, Fill(h.Value))).ToList();
        var needsRaw = input.Raw || input.TrickleBytesPerSecond > 0
            || headers.Any(h => h.Value.AsSpan().IndexOfAny('\r', '\n') >= 0)
            || (input.ContentType?.AsSpan().IndexOfAny('\r', '\n') ?? -1) >= 0
            || headers.Any(h => !Ascii.IsValid(h.Value));
        try
        {
            var (status, text) = needsRaw ? await RawAsync(input, headers) : await HttpAsync(input, headers);
            return new FuzzOutcome(status, ReportIdOf(input, status, text), null, clock.Elapsed);
        }
        catch (HttpRequestException) when (!needsRaw)
        {
            // HttpClient gives up when the server answers early and closes (Kestrel refusing a request line, say)
            // while the body is still going out; a raw send reads that answer instead.
            try
            {
                var (status, text) = await RawAsync(input, headers);
                return new FuzzOutcome(status, ReportIdOf(input, status, text), null, clock.Elapsed);
            }
            catch (Exception ex) when (ex is IOException or SocketException)
            {
                return new FuzzOutcome(0, null, $"{ex.GetType().Name}: {ex.Message}", clock.Elapsed);
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or SocketException or TaskCanceledException or TimeoutException)
        {
            return new FuzzOutcome(0, null, $"{ex.GetType().Name}: {ex.Message}{(ex.InnerException is { } inner ? $" ({inner.GetType().Name}: {inner.Message})" : "")}", clock.Elapsed);
        }
    }

    private static string? ReportIdOf(FuzzInput input, int status, string text) =>
        input.Method == "POST" && input.Path.StartsWith("/api/reports", StringComparison.Ordinal) && status is 200 or 202
            && ReportIdPattern().Match(text) is { Success: true } match
            ? match.Groups[1].Value
            : null;

    [GeneratedRegex("\"reportId\"\\s*:\\s*\"([0-9a-zA-Z]+)\"")]
    private static partial Regex ReportIdPattern();

    private async Task<(int Status, string Text)> HttpAsync(FuzzInput input, List<KeyValuePair<string, string>> headers)
    {
        using var request = new HttpRequestMessage(new HttpMethod(input.Method), Fill(input.Path));
        if (input.Method != "GET")
        {
            request.Content = input.Chunked ? new UnsizedContent(input.Body) : new ByteArrayContent(input.Body);
            if (!string.IsNullOrEmpty(input.ContentType))
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", input.ContentType);
            }
        }

        foreach (var (name, value) in headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, value);
            }
        }

        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var text = await ReadCappedAsync(await response.Content.ReadAsStreamAsync());
        return ((int)response.StatusCode, text);
    }

    private static async Task<string> ReadCappedAsync(Stream stream)
    {
        var buffer = new byte[64 * 1024];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total))) > 0)
        {
            total += read;
        }

        return Encoding.UTF8.GetString(buffer, 0, total);
    }

    /// <summary>The request written by hand. A trickled body is sent at the given rate for 15 s, then stalls.</summary>
    private async Task<(int Status, string Text)> RawAsync(FuzzInput input, List<KeyValuePair<string, string>> headers)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(_baseUri.Host, _baseUri.Port);
        var stream = client.GetStream();
        var head = new StringBuilder($"{input.Method} {Fill(input.Path)} HTTP/1.1\r\nHost: {_baseUri.Authority}\r\nConnection: close\r\n");
        if (!string.IsNullOrEmpty(input.ContentType))
        {
            head.Append($"Content-Type: {input.ContentType}\r\n");
        }

        foreach (var (name, value) in headers)
        {
            head.Append($"{name}: {value}\r\n");
        }

        var framedByHeaders = headers.Any(h => h.Key.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase));
        if (!framedByHeaders)
        {
            head.Append(input.Chunked ? "Transfer-Encoding: chunked\r\n" : $"Content-Length: {input.Body.Length}\r\n");
        }

        head.Append("\r\n");
        await stream.WriteAsync(Encoding.Latin1.GetBytes(head.ToString()));

        using var answer = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var reading = ReadAllAsync(stream, answer.Token);
        if (input.TrickleBytesPerSecond > 0)
        {
            var sent = 0;
            var until = Stopwatch.StartNew();
            while (!reading.IsCompleted && until.Elapsed < TimeSpan.FromSeconds(15) && sent < input.Body.Length)
            {
                var piece = input.Body.AsMemory(sent, Math.Min(input.TrickleBytesPerSecond, input.Body.Length - sent));
                try
                {
                    await stream.WriteAsync(input.Chunked ? Chunk(piece) : piece.ToArray());
                }
                catch (IOException)
                {
                    break; // the server gave up on us: its answer, if any, is already on the way
                }

                sent += piece.Length;
                await Task.WhenAny(reading, Task.Delay(1000));
            }
        }
        else
        {
            try
            {
                await stream.WriteAsync(framedByHeaders || !input.Chunked ? input.Body : Chunk(input.Body).Concat("0\r\n\r\n"u8.ToArray()).ToArray());
            }
            catch (IOException)
            {
                // Refused mid-body; read what it said.
            }
        }

        var text = await reading;
        var match = StatusLine().Match(text);
        if (!match.Success)
        {
            throw new IOException($"no HTTP answer ({text.Length} bytes: {text[..Math.Min(80, text.Length)]})");
        }

        return (int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), text);
    }

    [GeneratedRegex("^HTTP/1\\.[01] (\\d{3})")]
    private static partial Regex StatusLine();

    private static byte[] Chunk(ReadOnlyMemory<byte> piece) =>
        [.. Encoding.ASCII.GetBytes($"{piece.Length:x}\r\n"), .. piece.Span, .. "\r\n"u8];

    private static async Task<string> ReadAllAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0 && buffer.Length < 1 << 20)
            {
                buffer.Write(chunk, 0, read);
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            // A reset after the answer, or no answer at all: the caller looks at what arrived.
        }

        return Encoding.Latin1.GetString(buffer.ToArray());
    }

    /// <summary>A body without a known length, so HttpClient sends it chunked.</summary>
    private sealed class UnsizedContent(byte[] body) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            for (var at = 0; at < body.Length; at += 64 * 1024)
            {
                await stream.WriteAsync(body.AsMemory(at, Math.Min(64 * 1024, body.Length - at)));
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
