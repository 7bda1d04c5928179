using System.Collections.Concurrent;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;

namespace AbuseDesk.Functions.Tests.Cases;

/// <summary>
/// A deploy under running cases, on the real engine in process. The engine replays an instance's whole history
/// under the code deployed now each time something new arrives, so switching the code the registered orchestrator
/// runs while an instance waits is a deploy. The rule of docs/case-orchestration.md, the one
/// <see cref="Functions.Cases.CaseEpisode.Shape"/> exists for: a change to the orchestrator's sequence of awaits
/// fails the waiting instances' replay unless the new code keeps the old path for episodes of the old shape until
/// they continue as new, each new episode then started under the new shape.
/// </summary>
public sealed class OrchestratorShapeTests : IAsyncLifetime
{
    private const string Name = "ShapedCase";
    private const string Signal = "signal";

    /// <summary>One episode: the round it is in and the shape it was started under.</summary>
    public sealed record Episode(int Round, int Shape);

    private readonly ConcurrentQueue<string> _steps = new();
    private DurableTaskTestHost _host = null!;

    /// <summary>The code deployed: 1, or 2 (a check step before the notice); whether 2 keeps shape 1's path.</summary>
    private volatile int _deployed = 1;
    private volatile bool _keepsOldShape;

    public async Task InitializeAsync()
    {
        _host = await InProcessEngine.StartAsync(registry =>
        {
            registry.AddOrchestratorFunc<Episode, string>(Name, RunAsync);
            registry.AddActivityFunc<string, string>(CaseOrchestrationTests.Named("ShapedStep"), (_, step) =>
            {
                _steps.Enqueue(step);
                return step;
            });
        });
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_changed_sequence_of_awaits_fails_the_waiting_instance_when_the_old_shape_is_not_kept()
    {
        var instanceId = await StartUnderShapeOneAsync();

        Deploy(keepsOldShape: false);
        await _host.Client.RaiseEventAsync(instanceId, Signal, "fixed");

        var failed = await _host.Client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, Timeout());
        Assert.Equal(OrchestrationRuntimeStatus.Failed, failed.RuntimeStatus);
        Assert.Contains("determinis", failed.FailureDetails?.ToString() ?? "", StringComparison.OrdinalIgnoreCase);
        Assert.Equal(["notify"], _steps);
    }

    [Fact]
    public async Task The_old_shape_finishes_its_episode_on_its_own_path_and_the_next_episode_takes_the_new_one()
    {
        var instanceId = await StartUnderShapeOneAsync();

        Deploy(keepsOldShape: true);
        await _host.Client.RaiseEventAsync(instanceId, Signal, "fixed");
        await Eventually.Async(async () =>
        {
            var instance = await _host.Client.GetInstanceAsync(instanceId, getInputsAndOutputs: true);
            Assert.NotEqual(OrchestrationRuntimeStatus.Failed, instance?.RuntimeStatus);
            return instance?.ReadInputAs<Episode>() is { Shape: 2 } && _steps.Contains("check");
        }, TimeSpan.FromSeconds(30), "the next episode under shape 2", TimeSpan.FromMilliseconds(50));
        await _host.Client.RaiseEventAsync(instanceId, Signal, "reopened");

        var done = await _host.Client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, Timeout());
        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal("shape 2 done", done.ReadOutputAs<string>());
        Assert.Equal(["notify", "fixed", "check", "notify", "reopened"], _steps);
    }

    private async Task<string> StartUnderShapeOneAsync()
    {
        var instanceId = await _host.Client.ScheduleNewOrchestrationInstanceAsync(Name, new Episode(0, 1));
        // Waiting for its signal, with the notice step in its history.
        await Eventually.Async(() => Task.FromResult(_steps.Contains("notify")), TimeSpan.FromSeconds(30), "the first notice", TimeSpan.FromMilliseconds(50));
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        return instanceId;
    }

    private void Deploy(bool keepsOldShape)
    {
        _keepsOldShape = keepsOldShape;
        _deployed = 2;
    }

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    private Task<string> RunAsync(TaskOrchestrationContext context, Episode episode) =>
        _deployed == 1 || (_keepsOldShape && episode.Shape == 1) ? ShapeOneAsync(context, episode) : ShapeTwoAsync(context);

    /// <summary>Shape 1: notify, wait for a signal and apply it; then continue as new under the code's shape.</summary>
    private async Task<string> ShapeOneAsync(TaskOrchestrationContext context, Episode episode)
    {
        await context.CallActivityAsync<string>(CaseOrchestrationTests.Named("ShapedStep"), "notify");
        var signal = await context.WaitForExternalEvent<string>(Signal);
        await context.CallActivityAsync<string>(CaseOrchestrationTests.Named("ShapedStep"), signal);
        context.ContinueAsNew(new Episode(episode.Round + 1, _deployed));
        return "";
    }

    /// <summary>Shape 2: a durable pause and a check step come before the notice.</summary>
    private static async Task<string> ShapeTwoAsync(TaskOrchestrationContext context)
    {
        await context.CreateTimer(TimeSpan.FromMilliseconds(10), CancellationToken.None);
        await context.CallActivityAsync<string>(CaseOrchestrationTests.Named("ShapedStep"), "check");
        await context.CallActivityAsync<string>(CaseOrchestrationTests.Named("ShapedStep"), "notify");
        var signal = await context.WaitForExternalEvent<string>(Signal);
        await context.CallActivityAsync<string>(CaseOrchestrationTests.Named("ShapedStep"), signal);
        return "shape 2 done";
    }
}
