using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
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
using Tributary.Server.Demo;
using Tributary.Server.Enrichment;

namespace Tributary.Server.Configuration;

public static class ConfigurationSetup
{
    /// <summary>
    /// Layers the optional <c>TRIBUTARY_CONFIG</c> JSON file over appsettings, with environment variables and the
    /// command line still on top (DESIGN §2).
    /// </summary>
    public static void AddTributaryConfigFile(this WebApplicationBuilder builder, string[] args)
    {
        var path = Environment.GetEnvironmentVariable("TRIBUTARY_CONFIG");
        if (string.IsNullOrWhiteSpace(path)) return;
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new ConfigurationException($"TRIBUTARY_CONFIG points to '{full}', which does not exist");
        builder.Configuration.AddJsonFile(full, optional: false, reloadOnChange: false);
        builder.Configuration.AddEnvironmentVariables();
        builder.Configuration.AddCommandLine(args);
    }

    /// <summary>Every options class of DESIGN §12, bound from its section and validated the same way.</summary>
    public static IServiceCollection AddTributarySettings(this IServiceCollection services)
    {
        services.AddValidatedOptions<TributaryOptions>();
        services.AddValidatedOptions<DatabaseOptions>();
        services.AddValidatedOptions<EnrichmentConfiguration>(complete: DemoProviders.UnlessConfigured);
        services.AddValidatedOptions<Pricing>();
        services.AddValidatedOptions<CacheOptions>();
        services.AddValidatedOptions<CreditOptions>();
        services.AddValidatedOptions<JobOptions>();
        services.AddValidatedOptions<RateLimitOptions>();
        services.AddValidatedOptions<WebhookOptions>();
        services.AddValidatedOptions<Tributary.Core.Erasure.RetentionOptions>();
        // MX checks are off in Development, where the demo's synthetic domains have no DNS (DESIGN §5.2).
        services.AddValidatedOptions<VerificationOptions>(defaults: (o, env) => o.CheckMx = !env.IsDevelopment());
        services.AddSingleton(sp => new SurfaceSettings(sp.GetRequiredService<TributaryOptions>().SyncDeadline));
        services.AddOptions<HostOptions>().Configure<IOptions<TributaryOptions>>((host, o) => host.ShutdownTimeout = o.Value.ShutdownTimeout);
        return services;
    }

    /// <summary>
    /// The one way an options class is configured: <paramref name="defaults"/> that depend on the environment, then the
    /// values of <c>T.Section</c> bound over them, then <paramref name="complete"/>, then <see cref="IValidatedOptions.Validate"/>.
    /// <typeparamref name="T"/> is registered as a singleton; a value the binder cannot convert or one that does not
    /// validate becomes a <see cref="ConfigurationException"/> naming its key.
    /// </summary>
    public static IServiceCollection AddValidatedOptions<T>(this IServiceCollection services,
        Action<T, IHostEnvironment>? defaults = null, Action<T, IHostEnvironment>? complete = null) where T : class, IValidatedOptions
    {
        var builder = services.AddOptions<T>();
        if (defaults is not null) builder.Configure(defaults);
        builder.BindConfiguration(T.Section);
        if (complete is not null) builder.PostConfigure(complete);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<T>, Validator<T>>());
        services.AddSingleton(Resolve<T>);
        services.AddSingleton(new ValidatedSection(typeof(T)));
        return services;
    }

    /// <summary>Resolves every options class, so that a bad value stops the start-up before anything else runs.</summary>
    public static void ValidateOptions(this IServiceProvider services)
    {
        foreach (var section in services.GetServices<ValidatedSection>()) services.GetRequiredService(section.Type);
    }

    /// <summary>Binds and validates one options class from <paramref name="configuration"/> as the server does, defaults included.</summary>
    public static T Read<T>(IConfiguration configuration, string environment = "Production") where T : class, IValidatedOptions =>
        new ServiceCollection()
            .AddSingleton(configuration)
            .AddSingleton<IHostEnvironment>(new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { EnvironmentName = environment })
            .AddTributarySettings()
            .BuildServiceProvider()
            .GetRequiredService<T>();

    private static T Resolve<T>(IServiceProvider services) where T : class, IValidatedOptions
    {
        try
        {
            return services.GetRequiredService<IOptions<T>>().Value;
        }
        catch (OptionsValidationException e)
        {
            throw new ConfigurationException(string.Join("; ", e.Failures));
        }
        catch (InvalidOperationException e) when (e.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal))
        {
            // "Failed to convert configuration value 'ten' at 'Tributary:Jobs:Workers' to type 'System.Int32'."
            throw new ConfigurationException(e.Message.TrimEnd('.'));
        }
    }

    private sealed record ValidatedSection(Type Type);

    private sealed class Validator<T> : IValidateOptions<T> where T : class, IValidatedOptions
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            var errors = options.Validate().ToList();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
