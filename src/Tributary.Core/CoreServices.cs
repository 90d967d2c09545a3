using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Tributary.Core.Common;
using Tributary.Core.Companies;
using Tributary.Core.Contacts;
using Tributary.Core.Credits;
using Tributary.Core.Enrichment;
using Tributary.Core.Erasure;
using Tributary.Core.Idempotency;
using Tributary.Core.Jobs;
using Tributary.Core.RateLimits;
using Tributary.Core.Providers;
using Tributary.Core.Providers.Verification;
using Tributary.Core.Waterfall;
using Tributary.Core.Storage;
using Tributary.Core.Webhooks;
using Tributary.Core.Workspaces;

namespace Tributary.Core;

/// <summary>
/// Registers Core's services. Its options classes (<see cref="IValidatedOptions"/>: database, pricing, cache, credits,
/// jobs, rate limits, webhooks, verification, providers and waterfall) are resolved from the container, where the host
/// binds and validates them from configuration.
/// </summary>
public static class CoreServices
{
    /// <summary>Registers the domain services; <see cref="TributaryDb"/> is scoped, one per request or unit of work.</summary>
    public static IServiceCollection AddTributaryCore(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<TributaryDbFactory>();
        services.AddScoped<TributaryDb>(sp => sp.GetRequiredService<TributaryDbFactory>().Create());
        services.AddSingleton<CreationClock>();
        services.AddSingleton<Ledger>();
        services.AddSingleton<WorkspaceAdmin>();
        services.AddSingleton<TenantCache>();
        services.AddSingleton<ServerSecrets>();
        services.AddSingleton<CompanyStore>();
        services.AddSingleton<ContactStore>();
        services.AddSingleton<ContactImport>();
        return services;
    }

    /// <summary>Registers the waterfall, its providers, the result cache and the enrichment service.</summary>
    public static IServiceCollection AddTributaryEnrichment(this IServiceCollection services, Func<IServiceProvider, ProviderEnvironment> environment)
    {
        // Providers are called without redirects and with Polly's timeouts, not HttpClient's.
        services.AddHttpClient("providers", c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(2), MaxConnectionsPerServer = 1024,
            });
        // Vendors: one client whose only log lines are VendorRequestLog's, which mask keys sent in a query string.
        services.AddHttpClient(ProviderRegistry.VendorHttpClient, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(2), MaxConnectionsPerServer = 1024,
            })
            .RemoveAllLoggers()
            .AddHttpMessageHandler(sp => new Providers.Vendors.VendorRequestLog(
                sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<Providers.Vendors.VendorRequestLog>>()));
        services.AddSingleton(environment);
        services.AddSingleton<IEmailVerifier>(sp => new EmailVerifier(sp.GetRequiredService<VerificationOptions>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<EmailVerifier>>()));
        services.AddSingleton<ProviderRegistry>();
        services.AddSingleton<ResultCache>();
        services.AddSingleton<WaterfallMetrics>();
        services.AddSingleton<Providers.Usage.ProviderUsage>();
        services.AddSingleton<WaterfallRunner>();
        services.AddSingleton<WriteBack>();
        services.AddSingleton<InFlightWork>();
        services.AddSingleton<TraceBatch>();
        services.AddSingleton<BatchCommitter>();
        services.AddSingleton<EnrichmentService>();
        services.AddSingleton<LateAnswers>();
        return services;
    }

    public static IServiceCollection AddTributaryLimits(this IServiceCollection services)
    {
        services.AddSingleton<RateLimiter>();
        services.AddSingleton<IdempotencyStore>();
        return services;
    }

    public static IServiceCollection AddTributaryJobs(this IServiceCollection services)
    {
        services.AddSingleton<JobQueue>();
        services.AddSingleton<LeadRecords>();
        services.AddSingleton<JobProcessor>();
        return services;
    }

    /// <summary>Registers erasure, the suppression list, the erasure log and the retention sweep (DESIGN §4).</summary>
    public static IServiceCollection AddTributaryErasure(this IServiceCollection services)
    {
        services.AddSingleton<ErasureService>();
        services.AddSingleton<SuppressionList>();
        services.AddSingleton<ErasureLog>();
        services.AddSingleton<RetentionSweep>();
        return services;
    }

    /// <summary>
    /// Registers the webhook outbox's delivery: the SSRF guard, the dispatcher and its HTTP client, which connects only to
    /// addresses the guard checked, follows no redirect and uses no proxy.
    /// </summary>
    public static IServiceCollection AddTributaryWebhooks(this IServiceCollection services)
    {
        services.AddSingleton<WebhookTargetGuard>();
        services.AddHttpClient(WebhookDispatcher.HttpClientName, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AllowAutoRedirect = false, UseProxy = false, UseCookies = false,
                ConnectCallback = WebhookTargetGuard.ConnectAsync,
                PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            })
            // HttpClient's own request logging would write each target URL, whose query or user info may hold a token.
            .RemoveAllLoggers();
        services.AddSingleton<WebhookDispatcher>();
        return services;
    }
}
