using Microsoft.Extensions.Configuration;
using Tributary.Core;
using Tributary.Core.Credits;
using Tributary.Core.Enrichment;
using Tributary.Core.Jobs;
using Tributary.Core.Providers;
using Tributary.Core.Providers.Verification;
using Tributary.Core.RateLimits;
using Tributary.Core.Storage;
using Tributary.Core.Waterfall;
using Tributary.Core.Webhooks;
using Tributary.Server.Configuration;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Hosting;

/// <summary>
/// Every options class of DESIGN §12 is bound from its section and validated one way: defaults as the reference gives
/// them, configured values over them, and any value the binder cannot convert or that does not validate refused with
/// its full key.
/// </summary>
public sealed class OptionsTests
{
    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>("Tributary:" + v.Key, v.Value))).Build();

    private static T Read<T>(params (string Key, string Value)[] values) where T : class, IValidatedOptions =>
        ConfigurationSetup.Read<T>(Config(values));

    [Fact]
    public void Defaults_follow_the_configuration_reference()
    {
        var webhooks = Read<WebhookOptions>();
        webhooks.RetryDelays.ShouldBe([10, 60, 300, 1800, 7200, 21600]);
        (webhooks.MaxAttempts, webhooks.TimeoutSeconds, webhooks.AllowPrivateNetworks, webhooks.PollIntervalMs).ShouldBe((7, 10, false, 500));
        var server = Read<TributaryOptions>();
        (server.SyncDeadline, server.ShutdownTimeout, server.AdminApiEnabled).ShouldBe((TimeSpan.FromSeconds(25), TimeSpan.FromSeconds(30), false));
        var database = Read<DatabaseOptions>();
        (database.Provider, database.ConnectionString).ShouldBe((DatabaseProvider.Sqlite, "Data Source=tributary.db"));
        var cache = Read<CacheOptions>();
        (cache.TtlDays, cache.MissTtlDays).ShouldBe((30, 7));
        var limits = Read<RateLimitOptions>();
        (limits.SinglePerMinute, limits.BulkPerMinute, limits.PerDay).ShouldBe((100, 20, 10_000));
        var jobs = Read<JobOptions>();
        (jobs.Workers, jobs.LeaseSeconds, jobs.BatchSize).ShouldBe((64, 30, 50));
        Read<CreditOptions>().ReservationGraceSeconds.ShouldBe(60);
        var pricing = Read<Pricing>();
        (pricing.Of(Channels.WorkEmail), pricing.Of(Channels.PersonalEmail), pricing.Of(Channels.Phone), pricing.Of(Channels.LinkedinUrl),
            pricing.Of(Channels.Signals), pricing.Profile, pricing.Account).ShouldBe((1, 3, 10, 1, 1, 1, 1));
        Read<EnrichmentConfiguration>().Providers.ShouldBeEmpty(); // Production: no demo providers
    }

    [Fact]
    public void Configured_values_replace_the_defaults()
    {
        Read<WebhookOptions>(("Webhooks:RetryDelaysSeconds:0", "1"), ("Webhooks:RetryDelaysSeconds:1", "2"), ("Webhooks:RetryDelaysSeconds:2", "3"),
                ("Webhooks:RetryDelaysSeconds:3", "4"), ("Webhooks:RetryDelaysSeconds:4", "5"))
            .RetryDelays.ShouldBe([1, 2, 3, 4, 5]);
        Read<WebhookOptions>(("Webhooks:AllowPrivateNetworks", "True"), ("Webhooks:TimeoutSeconds", "3")).ShouldSatisfyAllConditions(
            o => o.AllowPrivateNetworks.ShouldBeTrue(), o => o.TimeoutSeconds.ShouldBe(3));
        var pricing = Read<Pricing>(("Pricing:phone", "7"), ("Pricing:work_email", "2"), ("Pricing:DiscoverMultiplier", "1.5"));
        pricing.PriceOf([Channels.Phone, Channels.WorkEmail]).ShouldBe(9);
        pricing.PriceOf([Channels.Phone], discover: true).ShouldBe(11);
        Read<DatabaseOptions>(("Database:Provider", "postgres")).Provider.ShouldBe(DatabaseProvider.Postgres);
        Read<TributaryOptions>(("SyncDeadlineMs", "1500")).SyncDeadline.ShouldBe(TimeSpan.FromMilliseconds(1500));
    }

    [Fact]
    public void Mx_checks_default_to_off_in_development_only_and_a_configured_value_wins()
    {
        ConfigurationSetup.Read<VerificationOptions>(Config(), "Development").CheckMx.ShouldBeFalse();
        ConfigurationSetup.Read<VerificationOptions>(Config(), "Production").CheckMx.ShouldBeTrue();
        ConfigurationSetup.Read<VerificationOptions>(Config(("Verification:CheckMx", "true")), "Development").CheckMx.ShouldBeTrue();
    }

    [Fact]
    public void Providers_and_waterfall_names_match_whatever_their_case()
    {
        var configuration = Read<EnrichmentConfiguration>(("Providers:Vendor:Type", "http"), ("Providers:Vendor:Url", "http://127.0.0.1:9/"),
            ("Providers:Vendor:Channels:0", "phone"), ("Waterfall:phone:0", "vendor"));
        configuration.Providers.ContainsKey("VENDOR").ShouldBeTrue();
        configuration.Waterfall["PHONE"].ShouldBe(["vendor"]);
    }

    [Theory]
    [InlineData("Webhooks:TimeoutSeconds", "0", "Tributary:Webhooks:TimeoutSeconds")]
    [InlineData("Webhooks:TimeoutSeconds", "ten", "Tributary:Webhooks:TimeoutSeconds")]
    [InlineData("Webhooks:AllowPrivateNetworks", "maybe", "Tributary:Webhooks:AllowPrivateNetworks")]
    [InlineData("Webhooks:PollIntervalMs", "0", "Tributary:Webhooks:PollIntervalMs")]
    [InlineData("Webhooks:RetryDelaysSeconds:0", "10", "Tributary:Webhooks:RetryDelaysSeconds must list")]
    [InlineData("Webhooks:RetryDelaysSeconds:0", "soon", "Tributary:Webhooks:RetryDelaysSeconds:0 must be a whole number")]
    [InlineData("Jobs:Workers", "0", "Tributary:Jobs:Workers")]
    [InlineData("Jobs:Workers", "many", "Tributary:Jobs:Workers")]
    [InlineData("Pricing:phone", "-1", "Tributary:Pricing:phone")]
    [InlineData("Pricing:DiscoverMultiplier", "twice", "Tributary:Pricing:DiscoverMultiplier")]
    [InlineData("Cache:TtlDays", "0", "Tributary:Cache:TtlDays")]
    [InlineData("Cache:MissTtlDays", "forever", "Tributary:Cache:MissTtlDays")]
    [InlineData("Credits:ReservationGraceSeconds", "-1", "Tributary:Credits:ReservationGraceSeconds")]
    [InlineData("RateLimits:PerDay", "0", "Tributary:RateLimits:PerDay")]
    [InlineData("Database:Provider", "Oracle", "Tributary:Database:Provider must be one of Sqlite, Postgres, not 'Oracle'")]
    [InlineData("Database:Provider", "7", "Tributary:Database:Provider")]
    [InlineData("Database:ConnectionString", " ", "Tributary:Database:ConnectionString")]
    [InlineData("Verification:SmtpPort", "70000", "Tributary:Verification:SmtpPort")]
    [InlineData("SyncDeadlineMs", "soon", "Tributary:SyncDeadlineMs")]
    [InlineData("ShutdownTimeoutSeconds", "0", "Tributary:ShutdownTimeoutSeconds")]
    [InlineData("PublicBaseUrl", "enrich.example.com", "Tributary:PublicBaseUrl")]
    [InlineData("Limits:MaxJsonBytes", "10", "Tributary:Limits:MaxJsonBytes")]
    [InlineData("Waterfall:phone:0", "ghost", "Tributary:Waterfall:phone")]
    public void A_bad_value_is_refused_naming_its_key(string key, string value, string named)
    {
        var config = Config((key, value));
        var error = Should.Throw<ConfigurationException>(() => ReadAll(config));
        error.Message.ShouldContain(named);
    }

    [Theory]
    [InlineData("Webhooks:RetryDelaysSeconds", "10,60,300,1800,7200", "Tributary:Webhooks:RetryDelaysSeconds takes a list")]
    [InlineData("Pricing:job_title", "2", "unknown key Tributary:Pricing:job_title")] // priced as part of the profile
    [InlineData("Pricing:phones", "2", "did you mean Tributary:Pricing:phone?")]
    [InlineData("Jobs", "8", "Tributary:Jobs is a section")]
    public void A_key_that_binds_to_nothing_is_refused(string key, string value, string message)
    {
        Should.Throw<ConfigurationException>(() => ConfigurationKeys.ThrowOnUnknown(Config((key, value)))).Message.ShouldContain(message);
    }

    [Fact]
    public void Every_key_of_the_options_classes_is_known()
    {
        ConfigurationKeys.ThrowOnUnknown(Config(("Pricing:work_email", "1"), ("Pricing:Profile", "1"), ("Webhooks:RetryDelaysSeconds:0", "1"),
            ("SyncDeadlineMs", "1000"), ("ShutdownTimeoutSeconds", "5"), ("Limits:MaxJsonBytes", "2048"), ("Cache:MissTtlDays", "3"),
            ("Credits:SweepIntervalSeconds", "5"), ("Verification:DnsServers:0", "127.0.0.1"), ("Database:ConnectionString", "Data Source=x.db")));
    }

    /// <summary>What the start-up does: the key and value check, then every options class bound and validated.</summary>
    private static void ReadAll(IConfiguration config)
    {
        ConfigurationKeys.ThrowOnUnknown(config);
        ConfigurationSetup.Read<TributaryOptions>(config);
        ConfigurationSetup.Read<DatabaseOptions>(config);
        ConfigurationSetup.Read<EnrichmentConfiguration>(config);
        ConfigurationSetup.Read<Pricing>(config);
        ConfigurationSetup.Read<CacheOptions>(config);
        ConfigurationSetup.Read<CreditOptions>(config);
        ConfigurationSetup.Read<JobOptions>(config);
        ConfigurationSetup.Read<RateLimitOptions>(config);
        ConfigurationSetup.Read<WebhookOptions>(config);
        ConfigurationSetup.Read<VerificationOptions>(config);
    }

    [Fact]
    public async Task A_bad_webhooks_value_stops_the_server_process_naming_the_key()
    {
        await using var server = await ServerProcess.StartAsync("Production",
            env: new Dictionary<string, string> { ["Tributary__Webhooks__TimeoutSeconds"] = "0" }, waitHealthy: false);
        var exit = await server.WaitForExitAsync(TimeSpan.FromSeconds(60));
        exit.ShouldNotBe(0);
        server.Output.ShouldContain("Tributary:Webhooks:TimeoutSeconds");
        server.Output.ShouldNotContain("   at ");
    }
}
