using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Tributary.Core;
using Tributary.Core.Providers;
using Tributary.Core.Waterfall;

namespace Tributary.Server.Configuration;

public static class StartupAddress
{
    public const string Default = "http://localhost:5080";

    /// <summary>
    /// DESIGN §2: <c>http://localhost:5080</c> unless <c>ASPNETCORE_URLS</c>, <c>--urls</c>, the port settings or
    /// Kestrel endpoints name an address (the launch profile sets none, so that the user's address wins).
    /// </summary>
    public static void ListenOnTheDefaultAddressUnlessConfigured(this WebApplicationBuilder builder)
    {
        var config = builder.Configuration;
        var configured = !string.IsNullOrWhiteSpace(config["urls"]) || !string.IsNullOrWhiteSpace(config["http_ports"])
                         || !string.IsNullOrWhiteSpace(config["https_ports"]) || config.GetSection("Kestrel:Endpoints").GetChildren().Any();
        if (!configured) builder.WebHost.UseUrls(Default);
    }
}

/// <summary>What the start-up says: the providers and waterfalls it runs with, and one line for what stops it.</summary>
public static class StartupReport
{
    public static void Log(WebApplication app)
    {
        var configuration = app.Services.GetRequiredService<EnrichmentConfiguration>();
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Tributary.Startup");
        log.LogInformation("Listening on {Addresses}", string.Join(", ", Addresses(app)));
        log.LogInformation("Web console at {Console}", Address(app) + "/app");
        if (configuration.Providers.Count == 0)
            log.LogWarning("No provider is configured (Tributary:Providers): every enrichment will find nothing");
        var registry = app.Services.GetRequiredService<ProviderRegistry>();
        // Names, types and channels only: never ApiKey or Headers (DESIGN §5.4).
        foreach (var provider in registry.All)
            log.LogInformation("Provider {Name}: type {Type}, channels {Channels}", provider.Name, configuration.Providers[provider.Name].Type,
                string.Join(", ", Channels.Person.Concat(Channels.Company).Where(provider.Channels.Contains)));
        foreach (var verifier in registry.AllVerifiers.Where(v => !registry.All.Any(p => p.Name == v.Name)))
            log.LogInformation("Verifier {Name}: type {Type}", verifier.Name, configuration.Providers[verifier.Name].Type);
        log.LogInformation("Email verification: {Verifiers}; catch-all emails: {CatchAll}",
            registry.Verifiers.Count == 0 ? "built-in checker" : string.Join(" → ", registry.Verifiers.Select(v => v.Name)),
            registry.CatchAll.ToString().ToLowerInvariant());
        foreach (var channel in Channels.Person.Concat(Channels.Company))
            if (configuration.Waterfall.TryGetValue(channel, out var order) && order.Count > 0)
            {
                log.LogInformation("Waterfall {Channel}: {Order}", channel, string.Join(" → ", registry.OrderFor(channel)));
                // A vendor named for a channel it serves only through a webhook it has not got (Apollo's phones).
                foreach (var left in order.Except(registry.OrderFor(channel), StringComparer.OrdinalIgnoreCase)
                             .Where(n => registry.All.Any(p => string.Equals(p.Name, n, StringComparison.OrdinalIgnoreCase))))
                    log.LogWarning("Waterfall {Channel}: {Provider} does not serve {Channel} ({Why}); it is left out of this waterfall",
                        channel, left, channel, WhyNotServed(configuration.Providers[left], channel));
            }
    }

    private static string WhyNotServed(ProviderDefinition provider, string channel) =>
        string.Equals(provider.Type, "apollo", StringComparison.OrdinalIgnoreCase) && channel == Channels.Phone && provider.PhoneWebhookUrl is null
            ? "an apollo provider serves phones only with PhoneWebhookUrl"
            : provider.Channels is { Count: > 0 } ? $"its Channels leave {channel} out" : $"the {provider.Type} type does not return {channel}";

    public static ICollection<string> Addresses(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];

    /// <summary>The first address a client on this machine can use, for examples in the banner.</summary>
    public static string Address(WebApplication app) =>
        Addresses(app).Select(a => a.Replace("://[::]", "://localhost").Replace("://0.0.0.0", "://localhost").Replace("://+", "://localhost")
            .Replace("://*", "://localhost")).FirstOrDefault() ?? StartupAddress.Default;

    private static volatile bool _started;

    /// <summary>
    /// The host logs a failed start with its stack trace before rethrowing it; until the server has started, that log
    /// is left out, as <see cref="Failure"/> says the same in one line.
    /// </summary>
    public static void QuietenFailedStarts(this ILoggingBuilder logging) =>
        logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", level => level >= LogLevel.Information && (_started || level < LogLevel.Error));

    /// <summary>Binds the server's addresses; a port in use or an address Kestrel cannot use becomes one line.</summary>
    public static async Task StartAsync(WebApplication app)
    {
        try
        {
            await app.StartAsync();
            _started = true;
        }
        catch (Exception e) when (e is IOException or FormatException or ArgumentException
                                  || (e is InvalidOperationException && e.StackTrace?.Contains("Kestrel", StringComparison.Ordinal) == true))
        {
            var inUse = e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase)
                        || e.InnerException?.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase) == true;
            throw new CannotListenException(inUse
                ? $"{e.Message.TrimEnd('.')} (another process uses that port; choose another with ASPNETCORE_URLS or --urls)"
                : $"{e.Message.TrimEnd('.')} (check ASPNETCORE_URLS or --urls, e.g. http://127.0.0.1:5080)");
        }
    }

    public sealed class CannotListenException(string message) : Exception(message);

    /// <summary>One line for a failure that stops the start-up, or null for a failure that deserves its stack trace.</summary>
    public static string? Failure(Exception e)
    {
        var inner = e.InnerException?.Message;
        return e switch
        {
            ConfigurationException or OptionsValidationException => $"configuration error: {e.Message}",
            InvalidDataException when e.Message.Contains("configuration", StringComparison.OrdinalIgnoreCase) =>
                $"configuration error: {e.Message.TrimEnd('.')}{(inner is null ? "" : $": {inner}")}",
            InvalidOperationException when e.Message.Contains("configuration", StringComparison.OrdinalIgnoreCase) => $"configuration error: {e.Message}",
            CannotListenException => $"cannot listen: {e.Message}",
            _ => null,
        };
    }
}
