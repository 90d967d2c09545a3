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

/// <summary>
/// In-process tests that put a thousand concurrent requests through one server run alone too, so that neither they nor
/// the timing-sensitive tests beside them are starved of the machine's two cores.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HeavyLoadCollection
{
    public const string Name = "heavy load";
}
