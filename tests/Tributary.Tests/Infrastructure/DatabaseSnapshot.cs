using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Tributary.Core.Enrichment;
using Tributary.Core.Providers.Usage;
using Tributary.Core.Storage;

namespace Tributary.Tests.Infrastructure;

/// <summary>
/// The whole database as a value: the row count and a checksum of the contents of every table, found in
/// <c>sqlite_master</c> or <c>information_schema</c> (so a table added later is compared too), to show that a
/// request changed nothing.
/// </summary>
/// <param name="Version">SQLite's <c>data_version</c> when it was taken: unchanged, no other connection has committed.</param>
/// <param name="Witnesses">PostgreSQL's row count and newest row version (<c>xmin</c>) per table: unchanged, the table is.</param>
public sealed record DatabaseSnapshot(IReadOnlyDictionary<string, (long Rows, string Checksum)> Tables, long? Version = null,
    IReadOnlyDictionary<string, string>? Witnesses = null)
{
    // Left out because any authenticated request changes them, refused or not: the rate counters count every non-GET
    // request and gain a row per new window (DESIGN §7), and a key's last_used_at records each use of the key.
    private static readonly HashSet<string> ChangedByAnyRequest = ["rate_counters"];
    private static readonly HashSet<(string Table, string Column)> ColumnsChangedByAnyRequest = [("api_keys", "last_used_at")];

    /// <summary>The tables whose rows or contents differ, with their counts before and after; empty when none do.</summary>
    public string Difference(DatabaseSnapshot after, IReadOnlySet<string>? except = null) => string.Join(", ",
        Tables.Keys.Union(after.Tables.Keys).Order(StringComparer.Ordinal)
            .Where(t => Tables.GetValueOrDefault(t) != after.Tables.GetValueOrDefault(t) && except?.Contains(t) != true)
            .Select(t => $"{t} ({Tables.GetValueOrDefault(t).Rows} → {after.Tables.GetValueOrDefault(t).Rows} rows)"));

    public bool SameAs(DatabaseSnapshot other) => Difference(other).Length == 0;

    public static async Task<DbConnection> OpenAsync(TestDatabase database)
    {
        DbConnection connection = database.Provider == DatabaseProvider.Sqlite
            ? new SqliteConnection(database.ConnectionString)
            : new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>
    /// The database now, once the writes the server holds in memory for up to a second are made; <paramref name="previous"/>
    /// itself when SQLite says no other connection has committed since it was taken.
    /// </summary>
    public static async Task<DatabaseSnapshot> TakeAsync(DbConnection connection, IServiceProvider services, DatabaseSnapshot? previous = null)
    {
        await services.GetRequiredService<TraceBatch>().FlushAsync(CancellationToken.None);
        await ((IDelayedWrites)services.GetRequiredService<ProviderUsage>()).FlushAsync(CancellationToken.None);
        if (connection is not SqliteConnection sqlite) return await PostgresAsync((NpgsqlConnection)connection, previous);
        // Read before the tables: a commit landing during the read then shows as a new version next time.
        await using var version = sqlite.CreateCommand();
        version.CommandText = "PRAGMA data_version";
        var now = (long)(await version.ExecuteScalarAsync())!;
        return previous?.Version == now ? previous : await ReadAsync(sqlite) with { Version = now };
    }

    /// <summary>
    /// Each table's count and checksum computed by PostgreSQL, so no row crosses the wire, and only for the tables whose
    /// row count or newest row version moved since <paramref name="previous"/> (the others are as they were).
    /// </summary>
    private static async Task<DatabaseSnapshot> PostgresAsync(NpgsqlConnection connection, DatabaseSnapshot? previous)
    {
        var names = (await TableNamesAsync(connection)).Where(t => !ChangedByAnyRequest.Contains(t)).ToList();
        var witnesses = new Dictionary<string, string>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = string.Join("\nUNION ALL\n",
                names.Select(t => $"SELECT '{t}', COUNT(*) || ':' || COALESCE(MAX(xmin::text::bigint), 0) FROM \"{t}\""));
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) witnesses[reader.GetString(0)] = reader.GetString(1);
        }
        var tables = new Dictionary<string, (long, string)>();
        var moved = new List<string>();
        foreach (var t in names)
            if (previous?.Witnesses?.GetValueOrDefault(t) == witnesses[t] && previous.Tables.TryGetValue(t, out var same)) tables[t] = same;
            else moved.Add(t);
        if (moved.Count > 0)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = string.Join("\nUNION ALL\n", moved.Select(t =>
            {
                var left = ColumnsChangedByAnyRequest.Where(c => c.Table == t).ToList();
                var row = left.Count == 0 ? "r::text" : "(" + left.Aggregate("to_jsonb(r)", (e, c) => $"{e} - '{c.Column}'") + ")::text";
                // A sum of 64-bit row hashes: independent of row order, with no sort.
                return $"SELECT '{t}', COUNT(*), COALESCE(SUM(hashtextextended({row}, 0)::numeric), 0)::text FROM \"{t}\" AS r";
            }));
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) tables[reader.GetString(0)] = (reader.GetInt64(1), reader.GetString(2));
        }
        return new DatabaseSnapshot(tables, Witnesses: witnesses);
    }

    private static async Task<DatabaseSnapshot> ReadAsync(SqliteConnection connection)
    {
        var names = (await TableNamesAsync(connection)).Where(t => !ChangedByAnyRequest.Contains(t)).ToList();
        await using var command = connection.CreateCommand();
        command.CommandText = string.Join(";\n", names.Select(t => $"SELECT * FROM \"{t}\""));
        await using var reader = await command.ExecuteReaderAsync();
        var tables = new Dictionary<string, (long, string)>();
        var row = new StringBuilder();
        foreach (var table in names)
        {
            var compared = Enumerable.Range(0, reader.FieldCount).Where(i => !ColumnsChangedByAnyRequest.Contains((table, reader.GetName(i)))).ToList();
            var rows = new List<string>();
            while (await reader.ReadAsync())
            {
                row.Clear();
                foreach (var i in compared) row.Append(Text(reader.GetValue(i))).Append('\u001f');
                rows.Add(row.ToString());
            }
            rows.Sort(StringComparer.Ordinal);
            tables[table] = (rows.Count, Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001e', rows))))[..16]);
            await reader.NextResultAsync();
        }
        return new DatabaseSnapshot(tables);
    }

    /// <summary>
    /// Waits until nothing is left running in the background: no job queued or processing, no webhook due or being
    /// sent, the traces and provider counts held in memory written; then until two snapshots in a row agree.
    /// </summary>
    public static async Task<DatabaseSnapshot> SettledAsync(DbConnection connection, IServiceProvider services)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (!await BusyAsync(connection))
            {
                var first = await TakeAsync(connection, services);
                await Task.Delay(40);
                var second = await TakeAsync(connection, services, first);
                if (first.SameAs(second) && !await BusyAsync(connection)) return second;
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the database did not settle within 60 s");
            await Task.Delay(25);
        }
    }

    private static async Task<bool> BusyAsync(DbConnection connection)
    {
        await using var jobs = connection.CreateCommand();
        jobs.CommandText = "SELECT COUNT(*) FROM jobs WHERE status IN ('queued', 'processing')";
        if (Convert.ToInt64(await jobs.ExecuteScalarAsync(), CultureInfo.InvariantCulture) > 0) return true;
        // A pending message is due, or leased while it is sent, until a day from now; the fuzz fixture puts retries a week away.
        await using var webhooks = connection.CreateCommand();
        webhooks.CommandText = "SELECT next_attempt_at FROM webhook_messages WHERE status = 'pending'";
        await using var reader = await webhooks.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            if (reader.GetDateTime(0) < DateTime.UtcNow.AddDays(1)) return true;
        return false;
    }

    private static async Task<List<string>> TableNamesAsync(DbConnection connection)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = connection is SqliteConnection
            ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            : "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'";
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) names.Add(reader.GetString(0));
        return names;
    }

    private static string Text(object value) => value switch
    {
        DBNull => "∅",
        byte[] bytes => Convert.ToHexString(bytes),
        DateTime t => t.ToString("O", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
