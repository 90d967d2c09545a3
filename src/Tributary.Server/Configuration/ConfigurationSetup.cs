using Microsoft.Extensions.Options;
using Tributary.Core;
using Tributary.Core.Storage;

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

    /// <summary>Reads and checks <c>Tributary:Database</c> at once: services cannot be registered without it.</summary>
    public static DatabaseOptions ReadDatabaseOptions(IConfiguration configuration)
    {
        var section = configuration.GetSection(DatabaseOptions.Section);
        var options = new DatabaseOptions();
        var provider = section["Provider"];
        if (!string.IsNullOrWhiteSpace(provider))
        {
            if (!Enum.TryParse<DatabaseProvider>(provider, ignoreCase: true, out var p) || !Enum.IsDefined(p))
                throw new ConfigurationException($"Tributary:Database:Provider must be Sqlite or Postgres, not '{provider}'");
            options.Provider = p;
        }
        var cs = section["ConnectionString"];
        if (cs is not null)
        {
            if (string.IsNullOrWhiteSpace(cs)) throw new ConfigurationException("Tributary:Database:ConnectionString must not be empty");
            options.ConnectionString = cs;
        }
        return options;
    }

    public static IServiceCollection AddTributaryOptions(this IServiceCollection services)
    {
        services.AddOptions<TributaryOptions>()
            .BindConfiguration(TributaryOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => o.Limits is { MaxJsonBytes: >= 1024 }, "Tributary:Limits:MaxJsonBytes must be at least 1024")
            .Validate(o => o.Limits is { MaxImportBytes: >= 1024 }, "Tributary:Limits:MaxImportBytes must be at least 1024")
            .Validate(o => o.PublicBaseUrl is null || (Uri.TryCreate(o.PublicBaseUrl, UriKind.Absolute, out var u) && u.Scheme is "http" or "https"),
                "Tributary:PublicBaseUrl must be an absolute http(s) URL, e.g. https://enrich.example.com")
            .ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<TributaryOptions>>().Value);
        return services;
    }
}
