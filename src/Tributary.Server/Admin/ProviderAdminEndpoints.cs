using Microsoft.AspNetCore.Http.HttpResults;
using Tributary.Core.Providers;
using Tributary.Core.Providers.Quotas;
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
        CostView Cost);
    /// <summary>The configured plan limits, and what the UTC day has used of the daily one (null without one).</summary>
    public sealed record QuotaView(int? RatePerSecond, int? RatePerMinute, int? DailyLimit, long? UsedToday);
    /// <summary>The vendor's own credits per call and per found channel, and their price in the operator's currency.</summary>
    public sealed record CostView(decimal PerCall, IReadOnlyDictionary<string, decimal> PerFound, decimal? CreditPrice);
    public sealed record ProviderList(IReadOnlyList<ProviderView> Providers);
    public sealed record CheckView(string Name, string Outcome, string Detail, string Health);

    public static IEndpointRouteBuilder MapProviderAdmin(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/admin/providers").WithTags(ApiTags.Admin).WithErrorShape(NativeErrorShape.Instance).RequireAdminToken();
        group.MapGet("/", ListProviders);
        group.MapPost("/{name}/check", CheckProvider);
        return app;
    }

    static async Task<Ok<ProviderList>> ListProviders(ProviderRegistry registry, EnrichmentConfiguration configuration, TributaryDbFactory dbs,
        TimeProvider time, CancellationToken ct)
    {
        var finders = registry.All.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        var order = Tributary.Core.Waterfall.Channels.Person.Concat(Tributary.Core.Waterfall.Channels.Company).ToList();
        var views = new List<ProviderView>();
        foreach (var (name, type) in registry.Entries)
        {
            var definition = configuration.Providers[name];
            var used = definition.DailyLimit is null ? (long?)null : await ProviderQuota.UsedTodayAsync(name, dbs, time, ct);
            views.Add(new ProviderView(name, type, finders.TryGetValue(name, out var finder) ? order.Where(finder.Channels.Contains).ToList() : [],
                registry.Verifies(name), HealthOf(registry, name),
                new QuotaView(definition.RatePerSecond, definition.RatePerMinute, definition.DailyLimit, used),
                new CostView(definition.Cost?.PerCall ?? 0, definition.Cost?.PerFound ?? [], definition.CreditPrice)));
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
