using Tributary.Core.Storage;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Fuzz;

/// <summary>
/// The server on Kestrel over loopback (not the in-memory test server: Kestrel reads the request line, headers and body
/// bytes as a client's would arrive), with one fake provider and rate limits high enough that generated requests reach
/// validation rather than a 429.
/// </summary>
public abstract class FuzzApp : WaterfallApp
{
    protected FuzzApp(DatabaseProvider provider) : base(provider,
        new Dictionary<string, FakeProviderSpec> { ["vendor"] = new() { Channels = ["work_email", "phone", "linkedin_url", "job_title"] } },
        new Dictionary<string, string[]> { ["work_email"] = ["vendor"], ["phone"] = ["vendor"], ["linkedin_url"] = ["vendor"], ["job_title"] = ["vendor"] },
        new Dictionary<string, object>
        {
            ["Tributary:RateLimits:SinglePerMinute"] = 1_000_000, ["Tributary:RateLimits:BulkPerMinute"] = 1_000_000, ["Tributary:RateLimits:PerDay"] = 1_000_000,
            // Accepted work settles quickly (jobs and first webhook attempts are waited for between cases), and no webhook
            // retry comes back during the run to change the database under a later case.
            ["Tributary:Jobs:PollIntervalMs"] = 50, ["Tributary:Webhooks:PollIntervalMs"] = 50, ["Tributary:Webhooks:TimeoutSeconds"] = 2,
            ["Tributary:Webhooks:RetryDelaysSeconds:0"] = 604_800, ["Tributary:Webhooks:RetryDelaysSeconds:1"] = 604_800,
            ["Tributary:Webhooks:RetryDelaysSeconds:2"] = 604_800, ["Tributary:Webhooks:RetryDelaysSeconds:3"] = 604_800,
            ["Tributary:Webhooks:RetryDelaysSeconds:4"] = 604_800,
        }) => UseKestrel(0);
}

public sealed class FuzzSqliteApp() : FuzzApp(DatabaseProvider.Sqlite);

public sealed class FuzzPostgresApp() : FuzzApp(DatabaseProvider.Postgres);
