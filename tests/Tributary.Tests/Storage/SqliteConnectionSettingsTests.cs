using Microsoft.EntityFrameworkCore;
using Tributary.Core.Storage;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Storage;

/// <summary>The per-connection SQLite settings run once per physical connection and hold on every later open of it.</summary>
public sealed class SqliteConnectionSettingsTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task Every_open_of_a_pooled_connection_has_the_settings()
    {
        var dbs = new TributaryDbFactory(app.Database.Options);
        for (var open = 0; open < 5; open++)
        {
            // Several contexts at once take several physical connections; each is then reused by the next round.
            var contexts = Enumerable.Range(0, 3).Select(_ => dbs.Create()).ToList();
            foreach (var db in contexts)
            {
                await db.Database.OpenConnectionAsync();
                (await PragmaAsync(db, "secure_delete")).ShouldBe(1, "secure_delete zeroes erased bytes (DESIGN §4)");
                (await PragmaAsync(db, "synchronous")).ShouldBe(1, "synchronous=NORMAL");
                (await PragmaAsync(db, "busy_timeout")).ShouldBe(60000);
                (await PragmaAsync(db, "temp_store")).ShouldBe(2, "temp_store=MEMORY");
            }
            foreach (var db in contexts) await db.DisposeAsync();
        }
    }

    private static async Task<long> PragmaAsync(TributaryDb db, string name)
    {
        await using var cmd = db.Database.GetDbConnection().CreateCommand();
        cmd.CommandText = "PRAGMA " + name;
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }
}
