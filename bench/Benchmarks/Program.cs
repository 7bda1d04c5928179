using AbuseDesk.Benchmarks.EndToEnd;
using BenchmarkDotNet.Running;

// Parser micro-benchmarks: dotnet run -c Release --project bench/Benchmarks -- --filter '*'
// The whole app under load:  bench/e2e, bench/workflow, bench/intake; hostile input: bench/fuzz   (see bench/README.md)
if (args.Length > 0 && args[0] == "e2e")
{
    return await LoadRun.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "fuzz")
{
    return await AbuseDesk.Benchmarks.Fuzz.FuzzRun.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "fuzz-parse")
{
    return AbuseDesk.Benchmarks.Fuzz.FuzzParseRun.Run(args[1..]);
}

if (args.Length > 0 && args[0] == "intake")
{
    return await AbuseDesk.Benchmarks.Intake.IntakeRun.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "azurite")
{
    return await AbuseDesk.Benchmarks.Workflow.AzuriteProbe.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "workflow-ratio")
{
    return await AbuseDesk.Benchmarks.Workflow.WorkflowRatioRun.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "workflow")
{
    return await AbuseDesk.Benchmarks.Workflow.WorkflowRun.RunAsync(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(AbuseDesk.Benchmarks.ArfBenchmarks).Assembly).Run(args);
return 0;

