namespace Tributary.Tests.Infrastructure;

/// <summary>
/// Tests that start real server processes run alone, after the rest: they measure elapsed time and kill processes, and
/// a machine busy with the parallel in-process tests would only add noise.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ServerProcessCollection
{
    public const string Name = "server processes";
}
