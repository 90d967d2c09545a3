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
public sealed record DatabaseSnapshot(IReadOnlyDictionary<string, (long Rows, string Checksum)> Tables)
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

    /// <summary>The database now, once the writes the server holds in memory for up to a second are made.</summary>
    public static async Task<DatabaseSnapshot> TakeAsync(DbConnection connection, IServiceProvider services)
    {
        await FlushDelayedWritesAsync(services);
        return await ReadAsync(connection);
    }

    private static async Task FlushDelayedWritesAsync(IServiceProvider services)
    {
        await services.GetRequiredService<TraceBatch>().FlushAsync(CancellationToken.None);
        await ((IDelayedWrites)services.GetRequiredService<ProviderUsage>()).FlushAsync(CancellationToken.None);
    }

    private static async Task<DatabaseSnapshot> ReadAsync(DbConnection connection)
    {
        var names = (await TableNamesAsync(connection)).Where(t => !ChangedByAnyRequest.Contains(t)).ToList();
        // One command for every table: one round trip, where a statement per table made PostgreSQL cases slow.
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
                await Task.Delay(60);
                var second = await TakeAsync(connection, services);
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
