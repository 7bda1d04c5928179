using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace AbuseDesk.Functions.Tests;

/// <summary>A stand-in for the provider's platform: a real HTTP listener on loopback that keeps every webhook call.</summary>
public sealed class PlatformReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();

    public PlatformReceiver()
    {
        var port = LoopbackPort.Free();
        Url = $"http://127.0.0.1:{port}/platform/hook/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _ = Task.Run(ListenAsync);
    }

    public string Url { get; }
    public string Secret { get; } = "platform-secret-" + Guid.NewGuid().ToString("N");
    public ConcurrentQueue<(string Body, string? Timestamp, string? Signature)> Calls { get; } = new();

    /// <summary>Calls whose body contains a key here are refused with 503 while the count is above zero (-1: always).</summary>
    public ConcurrentDictionary<string, int> Refuse { get; } = new();

    private int StatusFor(string body)
    {
        foreach (var (marker, left) in Refuse)
        {
            if (body.Contains(marker, StringComparison.Ordinal) && left != 0)
            {
                Refuse[marker] = left - 1 < 0 ? -1 : left - 1;
                return 503;
            }
        }

        return 204;
    }

    private async Task ListenAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var context = await _listener.GetContextAsync();
                using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
                var body = await reader.ReadToEndAsync();
                Calls.Enqueue((body, context.Request.Headers["X-AbuseDesk-Timestamp"], context.Request.Headers["X-AbuseDesk-Signature"]));
                context.Response.StatusCode = StatusFor(body);
                context.Response.Close();
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
        _stop.Dispose();
    }
}
