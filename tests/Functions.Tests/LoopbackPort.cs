using System.Net;
using System.Net.Sockets;

namespace AbuseDesk.Functions.Tests;

/// <summary>A loopback port the system has just given out and taken back, for a server the test starts next.</summary>
internal static class LoopbackPort
{
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
