using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Testing;

namespace AbuseDesk.Functions.Tests.Cases;

/// <summary>
/// Starts the in-process engine on a port the system just gave out, and again on another when that one was taken
/// meanwhile. Left to itself the test host picks a random port without asking, and in a full ./test one of them
/// (37642) was already some outgoing connection's.
/// </summary>
internal static class InProcessEngine
{
    public static async Task<DurableTaskTestHost> StartAsync(Action<DurableTaskRegistry> registry)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await DurableTaskTestHost.StartAsync(registry, new DurableTaskTestHostOptions { Port = FreePort() });
            }
            catch (IOException e) when (e.InnerException is AddressInUseException && attempt < 5)
            {
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
