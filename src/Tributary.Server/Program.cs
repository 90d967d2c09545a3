using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Scalar.AspNetCore;
using Tributary.Core.Credits;
using Tributary.Core.Enrichment;
using Tributary.Core.Jobs;
using Tributary.Core.Providers.Verification;
using Tributary.Core.Providers;
using Tributary.Core.Providers.Usage;
using Tributary.Core.RateLimits;
using Tributary.Core.Storage;
using Tributary.Core.Waterfall;
using Tributary.Core.Webhooks;
using Tributary.Core;
using Tributary.Server.Admin;
using Tributary.Server.Auth;
using Tributary.Server.Configuration;
using Tributary.Server.WebConsole;
using Tributary.Server.Demo;
using Tributary.Server.Docs;
using Tributary.Server.Enrichment;
using Tributary.Server.Errors;
using Tributary.Server.Hooks;
using Tributary.Server.Idempotency;
using Tributary.Server.Native;
using Tributary.Server.Observability;
using Tributary.Server.RateLimits;
using Tributary.Server.Surfaces.AsyncContacts;
using Tributary.Server.Surfaces.Channels;
using Tributary.Server.Surfaces.ContactEnrich;
using Tributary.Server.Surfaces.LeadBulk;
using Tributary.Server.Surfaces.Operations;
using Tributary.Server.Webhooks;
using Tributary.Server.Workers;

try
{
    // Configuration: appsettings beside the binary, then TRIBUTARY_CONFIG, then environment variables (DESIGN §2, §12).
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
    builder.AddTributaryConfigFile(args);
    ConfigurationKeys.ThrowOnUnknown(builder.Configuration);
    builder.ListenOnTheDefaultAddressUnlessConfigured();
    builder.Logging.QuietenFailedStarts();

    builder.Services.AddTributarySettings();

    // Services.
    builder.Services.AddTributaryCore();
    builder.Services.AddTributaryEnrichment(sp => new ProviderEnvironment
    {
        ContentRoot = sp.GetRequiredService<IHostEnvironment>().ContentRootPath,
        IndexDirectory = Path.Combine(Path.GetTempPath(), "tributary-datasets"),
    });
    builder.Services.AddTributaryJobs();
    builder.Services.AddTributaryErasure();
    builder.Services.AddHostedService<RetentionWorker>();
    builder.Services.AddHostedService<JobWorker>();
    builder.Services.AddHostedService<ReservationSweeper>();
    builder.Services.AddHostedService<DelayedWritesWorker<TraceBatch>>();
    builder.Services.AddHostedService<DelayedWritesWorker<ProviderUsage>>();
    builder.Services.AddSingleton<AsyncContactsWebhook>();
    builder.Services.AddSingleton<IJobItemListener>(sp => sp.GetRequiredService<AsyncContactsWebhook>());
    builder.Services.AddTributaryLimits();
    builder.Services.AddTributaryWebhooks();
    builder.Services.AddHostedService<WebhookDeliveryWorker>();
    builder.Services.AddScoped<CallerContext>();
    builder.Services.AddSingleton<DownloadLinks>();
    builder.Services.CheckKeysBeforeContentTypes();
    builder.Services.AddSingleton<ErrorShapesByPath>();
    builder.Services.AddSingleton<StartupState>();
    builder.Services.AddSingleton<TributaryMetrics>();
    builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
    builder.Services.Configure<JsonOptions>(o =>
    {
        o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        o.SerializerOptions.PropertyNameCaseInsensitive = true;
    });
    builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = null); // per-route limits: RequestBodyLimitMiddleware
    builder.Services.AddOpenApi(o => o.AddOperationTransformer<SurfaceExamples>().AddOperationTransformer<ApiReference>()
        .AddDocumentTransformer<ApiReference>());
    builder.Services.AddOpenTelemetry().ConfigureResource(r => r.AddService("tributary")).WithMetrics(m => m
        .AddMeter(TributaryMetrics.MeterName)
        .AddMeter("System.Runtime") // the runtime's own: GC, thread pool, JIT (the bench waits for the JIT to settle)
        .AddPrometheusExporter());

    var app = builder.Build();
    // A bad value stops here, with a message naming its key; dataset indexes open in the background.
    app.Services.ValidateOptions();
    var providers = app.Services.GetRequiredService<ProviderRegistry>();
    _ = providers.WarmUpAsync().ContinueWith(t => app.Logger.LogError(t.Exception, "A dataset could not be indexed"),
        TaskContinuationOptions.OnlyOnFaulted);
    await app.Services.GetRequiredService<TributaryDbFactory>().MigrateAsync();
    app.Services.GetRequiredService<LateAnswers>().Start();
    if (args is ["demo-key", ..]) return await DemoWorkspace.PrintNewKeyAsync(app.Services, app.Environment, Console.Out, Console.Error);

    // Pipeline: the proxy's view of the request first, then the request id, so that every response and log line carries it.
    app.UsePublicAddress();
    app.UseMiddleware<RequestIdMiddleware>();
    app.UseMiddleware<RequestMetricsMiddleware>();
    app.UseErrorBodiesForEmptyStatusCodes();
    app.UseMiddleware<ErrorHandlingMiddleware>();
    app.UseDocsWithoutRedirect();
    app.UseGatewayPathForTheCrmApi();
    app.UseRouting();
    app.UseMiddleware<RequestBodyLimitMiddleware>();
    app.UseMiddleware<ApiKeyAuthMiddleware>();
    app.UseMiddleware<JsonBodyGuardMiddleware>(); // after authentication: no 415 before a 401
    app.UseMiddleware<IdempotencyMiddleware>(); // a replay is free and counts against no limit
    app.UseMiddleware<RateLimitMiddleware>();

    // Endpoints.
    app.MapHealth();
    app.MapPrometheusScrapingEndpoint("/metrics");
    app.MapOpenApi("/openapi/{documentName}.json");
    app.MapScalarApiReference(DocsPage.Path, o => o.WithTitle("Tributary API").WithOpenApiRoutePattern("/openapi/{documentName}.json"));
    app.MapAdmin();
    app.MapProviderAdmin();
    app.MapContacts();
    app.MapCompanies();
    app.MapCredits();
    app.MapWorkspaceSettings();
    app.MapEnrichmentTraces();
    app.MapJobs();
    app.MapJobDownloads();
    app.MapChannelEnrichment();
    app.MapContactEnrichment();
    app.MapCompanyAndEmailEnrichment();
    app.MapAsyncContacts();
    app.MapOperations();
    app.MapLeadBulk();
    app.MapWebhooks();
    app.MapErasure();
    app.MapVendorHooks();
    app.MapConsole();

    // The address is bound before anything is created for the demo, so a port in use stops the start with one line
    // and leaves no demo key unshown; the banner gives the address really listened on.
    var startup = app.Services.GetRequiredService<StartupState>();
    if (!app.Environment.IsDevelopment()) app.Lifetime.ApplicationStarted.Register(startup.Finish);
    await StartupReport.StartAsync(app);
    StartupReport.Log(app);
    if (app.Environment.IsDevelopment() && await DemoWorkspace.SeedIfEmptyAsync(app.Services) is { } demo)
        DemoWorkspace.Print(demo, StartupReport.Address(app), Console.Out);
    startup.Finish();
    await app.WaitForShutdownAsync();
    return 0;
}
catch (Exception e) when (StartupReport.Failure(e) is { } line)
{
    Console.Error.WriteLine($"tributary: {line}");
    return 1;
}

public partial class Program;
