using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Tributary.Core.Providers;
using Tributary.Core.Providers.Usage;
using Tributary.Core.Providers.Verification;
using Tributary.Core.Storage;
using Tributary.Core.Waterfall;

namespace Tributary.Tests.Vendors;

/// <summary>
/// What a failure does to the next request (DESIGN §5.4): a refused key or an empty vendor account skips the provider
/// until a check passes or <c>RecheckMinutes</c> pass (on a clock the test moves); any other failure is asked again at once.
/// </summary>
public sealed class VendorRecheckTests(VendorFakes fakes) : IClassFixture<VendorFakes>
{
    private const int RecheckMinutes = 5;

    /// <summary>The system clock, as far ahead as the test says: only the wall time moves, timers run as they do.</summary>
    private sealed class MovableClock : TimeProvider
    {
        public TimeSpan Ahead { get; set; }
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Ahead;
    }

    private static readonly ServiceProvider Services = new ServiceCollection().AddHttpClient().AddMetrics().BuildServiceProvider();

    private sealed record Waterfall(WaterfallRunner Runner, ProviderRegistry Registry);

    /// <summary>One provider of <paramref name="type"/> for work emails; its vendor has no default quotas, so no database is needed.</summary>
    private Waterfall Build(string type, string key, MovableClock clock)
    {
        var configuration = new EnrichmentConfiguration
        {
            Providers = new(StringComparer.OrdinalIgnoreCase)
            {
                ["vendor"] = new() { Type = type, ApiKey = key, BaseUrl = fakes.BaseUrl, RecheckMinutes = RecheckMinutes },
            },
            Waterfall = new(StringComparer.OrdinalIgnoreCase) { ["work_email"] = ["vendor"] },
        };
        configuration.Validate().ShouldBeEmpty();
        var dbs = new TributaryDbFactory(new DatabaseOptions { Provider = DatabaseProvider.Sqlite, ConnectionString = "Data Source=:memory:" });
        var verifier = new EmailVerifier(new VerificationOptions { CheckMx = false });
        var registry = new ProviderRegistry(configuration, new ProviderEnvironment { ContentRoot = ".", IndexDirectory = Path.GetTempPath() },
            Services.GetRequiredService<IHttpClientFactory>(), dbs, verifier, clock);
        var metrics = new WaterfallMetrics(Services.GetRequiredService<IMeterFactory>(), registry);
        return new Waterfall(new WaterfallRunner(registry, verifier, metrics, new ProviderUsage(configuration, dbs, clock), clock), registry);
    }

    /// <summary>One synchronous run for a person of <paramref name="lastName"/>: the provider's step in its trace.</summary>
    private static async Task<TraceStep> RunAsync(Waterfall waterfall, string lastName)
    {
        var outcome = await waterfall.Runner.RunAsync(new WaterfallRequest
        {
            WorkspaceId = Guid.Empty, Known = VendorAnswerTests.Person(lastName).Known, Channels = ["work_email"], Synchronous = true,
        }, CancellationToken.None);
        return outcome.Trace.Single(s => s.Provider == "vendor");
    }

    [Theory]
    [InlineData("prospeo", "bad-key", "found", "/enrich-person", "bad key", false)]
    [InlineData("findymail", VendorFakes.GoodKey, "credits", "/api/search/name", "out of vendor credits", true)]
    public async Task A_refused_key_or_an_empty_account_is_skipped_until_RecheckMinutes_pass_or_a_check_passes(
        string type, string key, string scenario, string path, string why, bool checkPasses)
    {
        var clock = new MovableClock();
        var waterfall = Build(type, key, clock);
        var calls = fakes.Count(type, path);

        var failed = await RunAsync(waterfall, scenario);
        (failed.Outcome, failed.Detail!.StartsWith(why)).ShouldBe(("failed", true), failed.Detail);
        fakes.Count(type, path).ShouldBe(calls + 1);

        // Skipped, without a call, for RecheckMinutes.
        (await RunAsync(waterfall, scenario)).Detail.ShouldBe("unhealthy: " + why);
        clock.Ahead = TimeSpan.FromMinutes(RecheckMinutes) - TimeSpan.FromSeconds(1);
        (await RunAsync(waterfall, scenario)).Detail.ShouldBe("unhealthy: " + why);
        fakes.Count(type, path).ShouldBe(calls + 1);

        // Then asked again; failing the same way, it is skipped for another RecheckMinutes.
        clock.Ahead = TimeSpan.FromMinutes(RecheckMinutes) + TimeSpan.FromSeconds(1);
        (await RunAsync(waterfall, scenario)).Outcome.ShouldBe("failed");
        fakes.Count(type, path).ShouldBe(calls + 2);
        (await RunAsync(waterfall, scenario)).Detail.ShouldBe("unhealthy: " + why);

        // A check that passes makes it healthy at once; one that fails keeps it skipped.
        var check = await waterfall.Registry.CheckAsync("vendor", CancellationToken.None);
        check!.Outcome.ShouldBe(checkPasses ? Tributary.Core.Providers.Vendors.AccountCheckOutcome.Ok : Tributary.Core.Providers.Vendors.AccountCheckOutcome.Failed);
        var next = await RunAsync(waterfall, checkPasses ? "found" : scenario);
        if (checkPasses)
        {
            next.Outcome.ShouldBe("found");
            fakes.Count(type, path).ShouldBe(calls + 3);
        }
        else
        {
            next.Detail.ShouldBe("unhealthy: " + why);
            fakes.Count(type, path).ShouldBe(calls + 2);
        }
    }

    [Theory]
    [InlineData("prospeo", "ratelimit", "/enrich-person", "rate limited by the vendor")]
    [InlineData("prospeo", "restricted", "/enrich-person", "vendor error")]
    [InlineData("apollo", "inaccessible", "/api/v1/people/match", "vendor error")]
    [InlineData("findymail", "err200", "/api/search/name", "vendor error")]
    public async Task A_vendor_that_failed_any_other_way_is_asked_again_on_the_next_request(string type, string scenario, string path, string why)
    {
        var waterfall = Build(type, VendorFakes.GoodKey, new MovableClock());
        for (var run = 0; run < 2; run++)
        {
            var calls = fakes.Count(type, path);
            var step = await RunAsync(waterfall, scenario);
            (step.Outcome, step.Detail!.StartsWith(why)).ShouldBe(("failed", true), step.Detail);
            fakes.Count(type, path).ShouldBeGreaterThan(calls);
        }
        waterfall.Registry.Health.Unhealthy("vendor").ShouldBeNull();
    }
}
