using Microsoft.AspNetCore.Http.HttpResults;
using Tributary.Core.Providers;
using Tributary.Core.Providers.Quotas;
using Tributary.Core.Providers.Usage;
using Tributary.Core.Providers.Vendors;
using Tributary.Core.Storage;
using Tributary.Server.Auth;
using Tributary.Server.Docs;
using Tributary.Server.Errors;
using Tributary.Server.Native;

namespace Tributary.Server.Admin;

/// <summary>
/// The operator's view of the configured providers (DESIGN §5.4): their type, role and health, and a check of a vendor
/// key against the vendor's account endpoint. Never shows <c>ApiKey</c> or <c>Headers</c>.
/// </summary>
public static class ProviderAdminEndpoints
{
    public sealed record ProviderView(string Name, string Type, IReadOnlyList<string> Channels, bool Verifies, string Health, QuotaView Quota,
        CostView Cost, UsageView Today, [property: System.Text.Json.Serialization.JsonPropertyName("last_30_days")] UsageView Last30Days);
    /// <summary>The plan limits in force (configured, or the vendor's documented ones), and what the UTC day has used of the daily one (null without one).</summary>
    public sealed record QuotaView(int? RatePerSecond, int? RatePerMinute, int? DailyLimit, long? UsedToday);
    /// <summary>What the vendor bills in its own credits (configured, or its documented billing), and their price in the operator's currency.</summary>
    public sealed record CostView(decimal PerCall, decimal PerMatch, IReadOnlyDictionary<string, decimal> PerFound, decimal PerVerification, decimal? CreditPrice);
    /// <summary>Calls (lookups and verifications), lookups that matched, failures, and the cost in vendor credits and, with a CreditPrice, in money.</summary>
    public sealed record UsageView(long Calls, long Found, long Failures, decimal Cost, decimal? Spend)
    {
        public static UsageView Of(UsageFigures f) => new(f.Calls, f.Found, f.Failures, f.Cost, f.Spend);
    }
    public sealed record ProviderList(IReadOnlyList<ProviderView> Providers);
    public sealed record CheckView(string Name, string Outcome, string Detail, string Health);

    public static IEndpointRouteBuilder MapProviderAdmin(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/admin/providers").WithTags(ApiTags.Admin).WithErrorShape(NativeErrorShape.Instance).RequireAdminToken();
        group.MapGet("/", ListProviders);
        group.MapPost("/{name}/check", CheckProvider);
        return app;
    }

    static async Task<Ok<ProviderList>> ListProviders(ProviderRegistry registry, EnrichmentConfiguration configuration, ProviderUsage usage,
        TributaryDbFactory dbs, TimeProvider time, CancellationToken ct)
    {
        var finders = registry.All.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        var order = Tributary.Core.Waterfall.Channels.Person.Concat(Tributary.Core.Waterfall.Channels.Company).ToList();
        var figures = await usage.ReadAsync(ct);
        var views = new List<ProviderView>();
        foreach (var (name, type) in registry.Entries)
        {
            var definition = configuration.Providers[name];
            var vendor = VendorCatalog.Find(type);
            var used = definition.DailyLimit is null ? (long?)null : await ProviderQuota.UsedTodayAsync(name, dbs, time, ct);
            var cost = usage.CostOf(name);
            var (today, month) = figures.TryGetValue(name, out var f) ? f : (UsageFigures.None, UsageFigures.None);
            views.Add(new ProviderView(name, type, finders.TryGetValue(name, out var finder) ? order.Where(finder.Channels.Contains).ToList() : [],
                registry.Verifies(name), HealthOf(registry, name),
                new QuotaView(definition.RatePerSecond ?? vendor?.DefaultRatePerSecond, definition.RatePerMinute ?? vendor?.DefaultRatePerMinute,
                    definition.DailyLimit, used),
                new CostView(cost.PerCall, cost.PerMatch, cost.PerFound, cost.PerVerification, definition.CreditPrice),
                UsageView.Of(today), UsageView.Of(month)));
        }
        return TypedResults.Ok(new ProviderList(views));
    }

    static async Task<Results<Ok<CheckView>, ErrorResult>> CheckProvider(string name, ProviderRegistry registry, CancellationToken ct)
    {
        if (await registry.CheckAsync(name, ct) is not { } check)
            return new ErrorResult(ApiError.NotFound("provider"));
        var outcome = check.Outcome switch
        {
            AccountCheckOutcome.Ok => "ok",
            AccountCheckOutcome.Failed => "failed",
            _ => "not_available",
        };
        return TypedResults.Ok(new CheckView(name, outcome, check.Detail, HealthOf(registry, name)));
    }

    private static string HealthOf(ProviderRegistry registry, string name) => registry.Health.Unhealthy(name) ?? "healthy";
}
