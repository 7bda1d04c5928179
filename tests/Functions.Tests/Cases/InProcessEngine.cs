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
                return await DurableTaskTestHost.StartAsync(registry, new DurableTaskTestHostOptions { Port = LoopbackPort.Free() });
            }
            catch (IOException e) when (e.InnerException is AddressInUseException && attempt < 5)
            {
            }
        }
    }
}
