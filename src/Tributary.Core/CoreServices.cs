using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Tributary.Core.Common;
using Tributary.Core.Companies;
using Tributary.Core.Contacts;
using Tributary.Core.Credits;
using Tributary.Core.Storage;
using Tributary.Core.Workspaces;

namespace Tributary.Core;

public static class CoreServices
{
    /// <summary>Registers the domain services; <see cref="TributaryDb"/> is scoped, one per request or unit of work.</summary>
    public static IServiceCollection AddTributaryCore(this IServiceCollection services, Func<IServiceProvider, DatabaseOptions> database)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(database);
        services.AddSingleton<TributaryDbFactory>();
        services.AddScoped<TributaryDb>(sp => sp.GetRequiredService<TributaryDbFactory>().Create());
        services.AddSingleton<CreationClock>();
        services.AddSingleton<Ledger>();
        services.AddSingleton<WorkspaceAdmin>();
        services.AddSingleton<CompanyStore>();
        services.AddSingleton<ContactStore>();
        services.AddSingleton<ContactImport>();
        return services;
    }
}
