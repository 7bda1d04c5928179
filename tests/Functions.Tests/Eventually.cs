namespace AbuseDesk.Functions.Tests;

/// <summary>Polls a condition of the running system; the deadline bounds a hang, it is not a timing assertion.</summary>
public static class Eventually
{
    public static async Task Async(Func<Task<bool>> condition, TimeSpan within, string what, TimeSpan? every = null)
    {
        var deadline = DateTime.UtcNow + within;
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (InvalidOperationException ex) when (ex.Message.Contains("exited", StringComparison.Ordinal))
            {
                throw;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or Azure.RequestFailedException)
            {
                last = ex;
            }

            await Task.Delay(every ?? TimeSpan.FromMilliseconds(100));
        }

        throw new TimeoutException($"gave up waiting for {what} after {within.TotalSeconds:0}s" + (last is null ? "" : $" (last error: {last.Message})"));
    }
}
