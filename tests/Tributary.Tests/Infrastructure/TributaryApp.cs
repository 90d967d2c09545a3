using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Tributary.Core.Storage;
using Tributary.Core.Workspaces;

namespace Tributary.Tests.Infrastructure;

/// <summary>
/// The real server in-process (Production environment, admin token, a fresh real database), as the tests' shared fixture.
/// Each test makes its own workspace, so tests sharing one server never see each other's data.
/// </summary>
public abstract class TributaryApp : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string AdminToken = "test-admin-token-0123456789";
    private readonly DatabaseProvider provider;
    private TestDatabase? _database;

    protected TributaryApp(DatabaseProvider provider)
    {
        this.provider = provider;
        // Tributary never redirects; a client that followed redirects would hide one.
        ClientOptions.AllowAutoRedirect = false;
    }

    public TestDatabase Database => _database ?? throw new InvalidOperationException("fixture not initialised");
    public DatabaseProvider Provider => provider;

    /// <summary>Extra configuration for a fixture (keys under <c>Tributary:…</c>).</summary>
    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    public async Task InitializeAsync()
    {
        if (provider == DatabaseProvider.Postgres && PostgresAvailability.SkipReason is not null) return;
        _database = await TestDatabase.CreateAsync(provider);
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        if (_database is not null) await _database.DisposeAsync();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.ConfigureAppConfiguration((_, config) =>
        {
            var settings = new Dictionary<string, string?>
            {
                ["Tributary:AdminToken"] = AdminToken,
                ["Tributary:Database:Provider"] = Database.Provider.ToString(),
                ["Tributary:Database:ConnectionString"] = Database.ConnectionString,
                // No DNS here: MX checks have their own tests against a fake DNS server.
                ["Tributary:Verification:CheckMx"] = "false",
            };
            foreach (var (k, v) in Settings) settings[k] = v;
            config.AddInMemoryCollection(settings);
        });
    }

    public TributaryDb NewDb() => Services.GetRequiredService<TributaryDbFactory>().Create();

    public HttpClient Admin()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);
        return client;
    }

    public HttpClient Client(string key)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>Creates a workspace through the admin API, with a key holding <paramref name="permissions"/> (default: all).</summary>
    public async Task<TestWorkspace> CreateWorkspaceAsync(long credits = 0, IEnumerable<string>? permissions = null, string name = "test")
    {
        using var admin = Admin();
        var created = await admin.PostAsJsonAsync("/admin/workspaces", new { name });
        created.EnsureSuccessStatusCode();
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var key = await CreateKeyAsync(id, permissions ?? Permissions.All);
        if (credits != 0)
            (await admin.PostAsJsonAsync($"/admin/workspaces/{id}/credits", new { amount = credits, reason = "test" })).EnsureSuccessStatusCode();
        return new TestWorkspace(this, id, key);
    }

    public async Task<string> CreateKeyAsync(Guid workspaceId, IEnumerable<string> permissions)
    {
        using var admin = Admin();
        var response = await admin.PostAsJsonAsync($"/admin/workspaces/{workspaceId}/keys", new { name = "test", permissions });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
    }
}

public sealed record TestWorkspace(TributaryApp App, Guid Id, string Key)
{
    public HttpClient Client() => App.Client(Key);
}

public sealed class SqliteApp() : TributaryApp(DatabaseProvider.Sqlite);

public sealed class PostgresApp() : TributaryApp(DatabaseProvider.Postgres);
