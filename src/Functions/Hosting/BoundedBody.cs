namespace AbuseDesk.Functions.Hosting;

/// <summary>
/// Reads a request body up to a limit counted in bytes actually received, whatever Content-Length claimed (a
/// chunked body has none): the limit holds however the client frames the body.
/// </summary>
public static class BoundedBody
{
    /// <summary>The body's bytes; null when it is longer than <paramref name="limit"/> (the caller answers 413).</summary>
    public static async Task<ReadOnlyMemory<byte>?> ReadAsync(Stream body, long limit, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }
}
