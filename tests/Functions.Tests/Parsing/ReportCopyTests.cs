using System.Text;
using AbuseDesk.Functions.Parsing;

namespace AbuseDesk.Functions.Tests.Parsing;

/// <summary>The parse handler's source of a report's bytes, against the real blob store (Azurite).</summary>
[Collection(DeskCollection.Name)]
public sealed class ReportCopyTests(DeskApp app)
{
    [Fact]
    public async Task A_report_within_the_limit_is_read_from_one_local_copy_that_is_gone_after_the_delivery()
    {
        var (blob, bytes) = await UploadAsync();
        string path;
        using (var copy = await ReportCopy.OpenAsync(blob, bytes.Length, localLimit: bytes.Length, CancellationToken.None))
        {
            path = Assert.IsType<string>(copy.LocalPath);
            Assert.Equal(bytes, await ReadAllAsync(copy));
            await blob.DeleteAsync();
            // Both passes read the copy: the second one does not need the store.
            Assert.Equal(bytes, await ReadAllAsync(copy));
        }

        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task A_report_past_the_limit_is_streamed_from_the_store_each_time()
    {
        var (blob, bytes) = await UploadAsync();
        using var copy = await ReportCopy.OpenAsync(blob, bytes.Length, localLimit: bytes.Length - 1, CancellationToken.None);
        Assert.Null(copy.LocalPath);
        Assert.Equal(bytes, await ReadAllAsync(copy));
        Assert.Equal(bytes, await ReadAllAsync(copy));
    }

    private async Task<(Azure.Storage.Blobs.BlobClient Blob, byte[] Bytes)> UploadAsync()
    {
        var bytes = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 20_000).Select(i => $"line {i}\n")));
        var blob = app.Storage.RawReports.GetBlobClient($"tests/report-copy/{Guid.NewGuid():N}");
        await blob.UploadAsync(new BinaryData(bytes));
        return (blob, bytes);
    }

    private static async Task<byte[]> ReadAllAsync(ReportCopy copy)
    {
        await using var stream = await copy.ReadAsync(CancellationToken.None);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return buffer.ToArray();
    }
}
