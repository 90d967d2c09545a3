using System.Net.Http.Json;
using Microsoft.Data.Sqlite;
using Npgsql;
using Tributary.Core.Storage;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Hosting;

/// <summary>DESIGN §8, issue 10: workers poll with reads, so a server with nothing to do writes nothing to its database.</summary>
[Collection(ServerProcessCollection.Name)]
public abstract class IdleServerTests(DatabaseProvider provider)
{
    private const string Token = "idle-admin-token-0123456789";
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(60);

    [DbFact]
    public async Task An_idle_server_makes_no_database_write_for_a_minute()
    {
        await using var fake = new FakeProviders(new Dictionary<string, FakeProviderSpec>
        {
            ["vendor"] = new() { Channels = ["work_email"], People = [new() { ["linkedin_url"] = "https://www.linkedin.com/in/idle", ["work_email"] = "idle@idle.io" }] },
        });
        await using var database = await TestDatabase.CreateAsync(provider);
        var config = new
        {
            Tributary = new
            {
                AdminToken = Token,
                Database = new { Provider = database.Provider.ToString(), database.ConnectionString },
                Verification = new { CheckMx = false },
                Providers = new { vendor = new { Type = "http", Url = fake.Url("vendor"), Channels = new[] { "work_email" } } },
                Waterfall = new { work_email = new[] { "vendor" } },
                Credits = new { SweepIntervalSeconds = 1 },
                Jobs = new { PollIntervalMs = 50 },
                Webhooks = new { PollIntervalMs = 50 },
            },
            // Every statement the server sends, so the idle window can be searched for writes that changed no row as well.
            Logging = new { LogLevel = new Dictionary<string, string> { ["Microsoft.EntityFrameworkCore.Database.Command"] = "Information" } },
        };
        await using var server = await ServerProcess.StartAsync("Production", configFile: config);
        using (var admin = server.Client(Token))
        {
            // Some work first, so that every worker has had something to do and then nothing.
            var ws = (await (await admin.PostAsJsonAsync("/admin/workspaces", new { name = "idle" })).ShouldBeOk(201)).GetProperty("id").GetGuid();
            var key = (await (await admin.PostAsJsonAsync($"/admin/workspaces/{ws}/keys", new { permissions = new[] { "write:enrich", "read:enrich" } }))
                .ShouldBeOk(201)).GetProperty("key").GetString()!;
            (await admin.PostAsJsonAsync($"/admin/workspaces/{ws}/credits", new { amount = 10 })).EnsureSuccessStatusCode();
            using var client = server.Client(key);
            await (await client.PostAsJsonAsync("/enrichment", new { linkedin_url = "https://www.linkedin.com/in/idle", channels = new[] { "work_email" } })).ShouldBeOk();
            var job = (await (await client.PostAsJsonAsync("/v1/jobs", new { records = new[] { new { linkedin_url = "https://www.linkedin.com/in/idle" } }, channels = new[] { "work_email" } }))
                .ShouldBeOk(202)).GetProperty("data").GetProperty("id").GetGuid();
            await Polling.UntilAsync(async () => (await (await client.GetAsync($"/v1/jobs/{job}")).Json()).GetProperty("data").GetProperty("status").GetString(),
                status => status == "succeeded", "the job", attempts: 200);
        }
        await Task.Delay(TimeSpan.FromSeconds(2)); // what was in flight settles

        var before = await WritesAsync(database);
        var logged = server.Output.Length;
        await Task.Delay(Idle);
        (await WritesAsync(database)).ShouldBe(before, "the idle server wrote to its database");
        var statements = server.Output[logged..];
        statements.ShouldContain("SELECT"); // the workers did poll
        foreach (var write in new[] { "INSERT ", "UPDATE ", "DELETE " })
            statements.ShouldNotContain(write, Case.Insensitive, "the idle server sent a write statement");
        server.HasExited.ShouldBeFalse();
    }

    /// <summary>A number that moves with every committed write: SQLite's data version, PostgreSQL's tuple counters.</summary>
    private static async Task<long> WritesAsync(TestDatabase database)
    {
        if (database.Provider == DatabaseProvider.Sqlite)
        {
            // data_version changes when another connection commits; it is per connection, so one connection reads both.
            _sqlite ??= new SqliteConnection(database.ConnectionString);
            if (_sqlite.State != System.Data.ConnectionState.Open) await _sqlite.OpenAsync();
            await using var cmd = _sqlite.CreateCommand();
            cmd.CommandText = "PRAGMA data_version";
            return (long)(await cmd.ExecuteScalarAsync())!;
        }
        await using var conn = new NpgsqlConnection(database.ConnectionString);
        await conn.OpenAsync();
        // Backends report their counters at least every 10 s when idle; wait past that before reading.
        await Task.Delay(TimeSpan.FromSeconds(11));
        await using var pg = new NpgsqlCommand(
            // Tributary's own tables only: autovacuum's ANALYZE writes statistics into the catalogs of a database on its own.
            "SELECT COALESCE(SUM(n_tup_ins + n_tup_upd + n_tup_del), 0)::bigint FROM pg_stat_user_tables", conn);
        return (long)(await pg.ExecuteScalarAsync())!;
    }

    private static SqliteConnection? _sqlite;
}

public sealed class IdleServerTests_Sqlite() : IdleServerTests(DatabaseProvider.Sqlite);

public sealed class IdleServerTests_Postgres() : IdleServerTests(DatabaseProvider.Postgres), IPostgresTests;
