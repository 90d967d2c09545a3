using System.Globalization;
using Tributary.Core;
using Tributary.Core.Enrichment;
using Tributary.Core.Providers;
using Tributary.Core.Waterfall;
using Tributary.Server.Demo;

namespace Tributary.Server.Configuration;

/// <summary>Reads and checks the waterfall's configuration (DESIGN §12); every error names its key.</summary>
public static class EnrichmentSettings
{
    public const int DefaultSyncDeadlineMs = 25_000;

    public static EnrichmentConfiguration ReadProviders(IConfiguration config, IHostEnvironment env)
    {
        var providers = config.GetSection("Tributary:Providers").Get<Dictionary<string, ProviderDefinition>>() ?? [];
        var waterfall = config.GetSection("Tributary:Waterfall").Get<Dictionary<string, List<string>>>() ?? [];
        if (env.IsDevelopment() && providers.Count == 0 && waterfall.Count == 0) return DemoProviders.Configuration();
        var configuration = new EnrichmentConfiguration
        {
            Providers = new Dictionary<string, ProviderDefinition>(providers, StringComparer.OrdinalIgnoreCase),
            Waterfall = new Dictionary<string, List<string>>(waterfall, StringComparer.OrdinalIgnoreCase),
            Verifiers = config.GetSection("Tributary:Verification:Providers").Get<List<string>>() ?? [],
            CatchAll = ReadCatchAll(config["Tributary:Verification:CatchAll"]),
        };
        Fail(configuration.Validate());
        return configuration;
    }

    private static CatchAllPolicy ReadCatchAll(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "continue" => CatchAllPolicy.Continue,
        "accept" => CatchAllPolicy.Accept,
        "reject" => CatchAllPolicy.Reject,
        _ => throw new ConfigurationException($"Tributary:Verification:CatchAll must be continue, accept or reject, not '{value}'"),
    };

    public static Pricing ReadPricing(IConfiguration config)
    {
        var pricing = new Pricing();
        foreach (var child in config.GetSection("Tributary:Pricing").GetChildren())
        {
            var key = $"Tributary:Pricing:{child.Key}";
            switch (child.Key)
            {
                case "Profile": pricing.Profile = Int(key, child.Value); break;
                case "Account": pricing.Account = Int(key, child.Value); break;
                case "DiscoverMultiplier":
                    if (!double.TryParse(child.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var m))
                        throw new ConfigurationException($"{key} must be a number");
                    pricing.DiscoverMultiplier = m;
                    break;
                default: pricing.Channels[child.Key] = Int(key, child.Value); break;
            }
        }
        Fail(pricing.Validate());
        return pricing;
    }

    public static CacheOptions ReadCache(IConfiguration config)
    {
        var options = new CacheOptions();
        if (config["Tributary:Cache:TtlDays"] is { } ttl) options.TtlDays = Int("Tributary:Cache:TtlDays", ttl);
        if (config["Tributary:Cache:MissTtlDays"] is { } missTtl) options.MissTtlDays = Int("Tributary:Cache:MissTtlDays", missTtl);
        if (options.TtlDays is < 1 or > 3650) throw new ConfigurationException("Tributary:Cache:TtlDays must be from 1 to 3650");
        if (options.MissTtlDays is < 1 or > 3650) throw new ConfigurationException("Tributary:Cache:MissTtlDays must be from 1 to 3650");
        return options;
    }

    public static Tributary.Core.Credits.CreditOptions ReadCredits(IConfiguration config)
    {
        var options = new Tributary.Core.Credits.CreditOptions();
        config.GetSection("Tributary:Credits").Bind(options);
        Fail(options.Validate());
        return options;
    }

    public static TimeSpan ReadSyncDeadline(IConfiguration config)
    {
        var raw = config["Tributary:SyncDeadlineMs"];
        var ms = raw is null ? DefaultSyncDeadlineMs : Int("Tributary:SyncDeadlineMs", raw);
        if (ms is < 100 or > 600_000) throw new ConfigurationException("Tributary:SyncDeadlineMs must be from 100 to 600000");
        return TimeSpan.FromMilliseconds(ms);
    }

    /// <summary>On SIGTERM, how long in-flight work may take to finish before the process stops (DESIGN §12).</summary>
    public static TimeSpan ReadShutdownTimeout(IConfiguration config)
    {
        var raw = config["Tributary:ShutdownTimeoutSeconds"];
        var seconds = raw is null ? 30 : Int("Tributary:ShutdownTimeoutSeconds", raw);
        if (seconds is < 1 or > 3600) throw new ConfigurationException("Tributary:ShutdownTimeoutSeconds must be from 1 to 3600");
        return TimeSpan.FromSeconds(seconds);
    }

    public static Tributary.Core.Jobs.JobOptions ReadJobs(IConfiguration config)
    {
        var options = new Tributary.Core.Jobs.JobOptions();
        config.GetSection("Tributary:Jobs").Bind(options);
        Fail(options.Validate());
        return options;
    }

    public static Tributary.Core.RateLimits.RateLimitOptions ReadRateLimits(IConfiguration config)
    {
        var options = new Tributary.Core.RateLimits.RateLimitOptions();
        config.GetSection("Tributary:RateLimits").Bind(options);
        Fail(options.Validate());
        return options;
    }

    private static int Int(string key, string? value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new ConfigurationException($"{key} must be a whole number, not '{value}'");

    private static void Fail(IEnumerable<string> errors)
    {
        var list = errors.ToList();
        if (list.Count > 0) throw new ConfigurationException(string.Join("; ", list));
    }
}

public static class VerificationSettings
{
    /// <summary>
    /// <c>Tributary:Verification</c>; MX checks default to off in Development, where the demo's synthetic domains have no
    /// DNS, and on elsewhere (DESIGN §5.2).
    /// </summary>
    public static Tributary.Core.Providers.Verification.VerificationOptions Read(IConfiguration config, IHostEnvironment env)
    {
        var options = new Tributary.Core.Providers.Verification.VerificationOptions { CheckMx = !env.IsDevelopment() };
        config.GetSection("Tributary:Verification").Bind(options);
        var errors = options.Validate();
        if (errors.Count > 0) throw new ConfigurationException(string.Join("; ", errors.Select(e => "Tributary:" + e)));
        return options;
    }
}
