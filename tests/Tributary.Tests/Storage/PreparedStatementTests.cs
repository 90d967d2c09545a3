using Microsoft.EntityFrameworkCore;
using Tributary.Core.Storage;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Storage;

/// <summary>
/// On a SQLite connection held open, each statement text keeps one prepared command that is bound again on every use:
/// it must answer with the arguments of each call, survive a failure of its own, and end with the connection.
/// </summary>
public sealed class PreparedStatementTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task A_kept_statement_is_bound_anew_each_time_and_survives_its_own_failure()
    {
        var dbs = new TributaryDbFactory(app.Database.Options);
        await using var db = dbs.Create();
        await db.Database.OpenConnectionAsync();
        await Sql.ExecuteAsync(db, "CREATE TEMP TABLE kept (id INTEGER PRIMARY KEY, name TEXT NOT NULL)", [], default);
        const string insert = "INSERT INTO kept (id, name) VALUES ({0}, {1})";
        const string read = "SELECT name FROM kept WHERE id = {0}";
        for (var i = 1; i <= 3; i++) await Sql.ExecuteAsync(db, insert, [i, $"name {i}"], default);

        // The same statement a second time with the same key fails; the next use of it, with other arguments, works.
        var duplicate = await Should.ThrowAsync<Exception>(() => Sql.ExecuteAsync(db, insert, [2, "again"], default));
        duplicate.Message.ShouldContain("UNIQUE");
        await Sql.ExecuteAsync(db, insert, [4, "name 4"], default);
        // A NOT NULL failure inside a transaction, then the transaction's own work still commits.
        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            await Should.ThrowAsync<Exception>(() => Sql.ExecuteAsync(db, insert, [5, null], default));
            await Sql.ExecuteAsync(db, insert, [6, "name 6"], default);
            await tx.CommitAsync();
        }

        foreach (var (id, name) in new[] { (1, "name 1"), (2, "name 2"), (4, "name 4"), (6, "name 6") })
            (await Sql.QueryAsync(db, read, [id], r => r.GetString(0), default)).ShouldBe([name], $"row {id}");
        (await Sql.QueryAsync(db, read, [5], r => r.GetString(0), default)).ShouldBeEmpty();

        // The same query twice reads all its rows each time.
        (await Sql.QueryAsync(db, "SELECT name FROM kept ORDER BY id", [], r => r.GetString(0), default)).Count.ShouldBe(5);
        (await Sql.QueryAsync(db, "SELECT name FROM kept ORDER BY id", [], r => r.GetString(0), default)).Count.ShouldBe(5);

        // Closed and opened again (its kept commands ended with the close): the same statement texts work as before.
        await db.Database.CloseConnectionAsync();
        await db.Database.OpenConnectionAsync();
        await Sql.ExecuteAsync(db, "CREATE TEMP TABLE IF NOT EXISTS kept (id INTEGER PRIMARY KEY, name TEXT NOT NULL)", [], default);
        await Sql.ExecuteAsync(db, insert, [7, "name 7"], default);
        (await Sql.QueryAsync(db, read, [7], r => r.GetString(0), default)).ShouldBe(["name 7"]);
    }
}
