using System.Globalization;
using System.IO.Compression;
using System.Text;
using AbuseDesk.Domain.Parsing;
using AbuseDesk.Domain.Parsing.Shadowserver;
using BenchmarkDotNet.Attributes;

namespace AbuseDesk.Benchmarks;

/// <summary>
/// Streams a 50 MB Shadowserver scan_ssh report (the real report's 29 columns, quoted as Shadowserver
/// quotes them) into events, plain and zipped. Target: at least 100 MB/s of CSV on one core; divide
/// <see cref="CsvMegabytes"/> by the mean time.
/// </summary>
/// <remarks>dotnet run -c Release --project bench/Benchmarks -- --filter '*Shadowserver*' --job short</remarks>
[MemoryDiagnoser]
public class ShadowserverCsvBenchmarks
{
    private const int TargetBytes = 50 * 1024 * 1024;

    private static readonly ReportInput Input = new("text/csv", "2026-11-20-scan_ssh-asn-example.csv");
    private static readonly ReportInput ZipInput = new("application/zip", "2026-11-20-scan_ssh-asn-example.csv.zip");

    private byte[] _csv = [];
    private byte[] _zip = [];

    /// <summary>Size of the CSV in MB (2^20 bytes), for MB/s = CsvMegabytes / mean seconds.</summary>
    public double CsvMegabytes => _csv.Length / 1024.0 / 1024.0;

    [GlobalSetup]
    public void Setup()
    {
        _csv = ScanSshCsv(TargetBytes);
        using var zipped = new MemoryStream();
        using (var archive = new ZipArchive(zipped, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var entry = archive.CreateEntry("2026-11-20-scan_ssh-asn-example.csv", CompressionLevel.Optimal).Open();
            entry.Write(_csv);
        }

        _zip = zipped.ToArray();
        Console.WriteLine($"// scan_ssh CSV: {_csv.Length:N0} bytes ({CsvMegabytes:F1} MB), zipped {_zip.Length:N0} bytes");
    }

    [Benchmark(Baseline = true)]
    public long EnumerateCsv() => Enumerate(_csv, Input);

    [Benchmark]
    public long EnumerateZippedCsv() => Enumerate(_zip, ZipInput);

    private static long Enumerate(byte[] content, ReportInput input)
    {
        using var stream = new MemoryStream(content, writable: false);
        using var reading = ShadowserverCsv.Read(stream, input);
        if (reading.Error is not null)
        {
            throw new InvalidOperationException(reading.Error);
        }

        long checksum = 0;
        foreach (var reportEvent in reading.Events)
        {
            checksum += reportEvent.Ip!.Length + (reportEvent.Evidence?.Length ?? 0) + (reportEvent.Port ?? 0);
        }

        return checksum;
    }

    /// <summary>Rows shaped like a real Accessible-SSH report: addresses spread over many networks, mostly distinct values.</summary>
    private static byte[] ScanSshCsv(int targetBytes)
    {
        var text = new StringBuilder(targetBytes + 4096);
        text.Append("\"timestamp\",\"severity\",\"ip\",\"protocol\",\"port\",\"hostname\",\"tag\",\"asn\",\"geo\",\"region\",\"city\",\"naics\",")
            .Append("\"hostname_source\",\"sector\",\"serverid\",\"server_version\",\"server_comment\",\"server_cipher\",\"server_mac\",")
            .Append("\"server_compression\",\"server_host_key\",\"server_host_key_sha256\",\"server_host_key_sha512\",\"auth_methods\",")
            .Append("\"device_vendor\",\"device_type\",\"device_model\",\"device_version\",\"device_sector\"\n");

        string[] versions = ["OpenSSH_8.9p1 Ubuntu-3ubuntu0.10", "OpenSSH_7.4", "OpenSSH_9.6p1 Debian-4", "dropbear_2020.81", "OpenSSH_8.0"];
        string[] cities = ["FRANKFURT AM MAIN", "AMSTERDAM", "ASHBURN", "SINGAPORE", "LONDON"];
        var random = new Random(42);
        var row = 0;
        while (text.Length < targetBytes)
        {
            row++;
            var version = versions[random.Next(versions.Length)];
            var city = cities[random.Next(cities.Length)];
            var a = random.Next(1, 224);
            var b = random.Next(256);
            var c = random.Next(256);
            var d = random.Next(1, 255);
            text.Append(CultureInfo.InvariantCulture,
                $"\"2026-11-20 {row / 3600 % 24:00}:{row / 60 % 60:00}:{row % 60:00}\",\"medium\",\"{a}.{b}.{c}.{d}\",\"tcp\",22,")
                .Append(CultureInfo.InvariantCulture, $"\"{a}-{b}-{c}-{d}.static.example.net\",\"ssh\",{64496 + (row % 20)},\"DE\",\"HESSEN\",\"{city}\",518210,")
                .Append("\"ptr\",\"Communications, Service Provider, and Hosting Service\",")
                .Append(CultureInfo.InvariantCulture, $"\"SSH-2.0-{version}\",\"{version}\",,")
                .Append("\"curve25519-sha256,aes128-ctr,aes192-ctr,aes256-ctr,aes128-gcm@openssh.com\",\"hmac-sha2-256,hmac-sha2-512\",\"none,zlib@openssh.com\",\"ssh-ed25519\",")
                .Append(CultureInfo.InvariantCulture, $"\"{random.NextInt64():x16}{random.NextInt64():x16}{random.NextInt64():x16}\",,")
                .Append("\"publickey,password\",,,,,\n");
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
