using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Tributary.Core.Storage;
using Tributary.Tests.Infrastructure;

namespace Tributary.Tests.Erasure;

/// <summary>
/// One fake vendor that knows two people: Jordan Rivera, who is erased or suppressed in the tests, and Chloe Walker,
/// whose data must stay. <see cref="Hold"/> keeps a run for Jordan in flight until the test lets it answer.
/// </summary>
public abstract class ErasureApp(DatabaseProvider provider) : WaterfallApp(provider,
    new Dictionary<string, FakeProviderSpec>
    {
        ["vendor"] = new()
        {
            Channels = ["work_email", "phone", "personal_email", "linkedin_url"],
            People =
            [
                new() { ["first_name"] = "Jordan", ["last_name"] = "Rivera", ["company_domain"] = Person.Domain,
                        ["linkedin_url"] = Person.LinkedinUrl, ["work_email"] = Person.Email, ["phone"] = Person.Phone },
                new() { ["first_name"] = "Chloe", ["last_name"] = "Walker", ["company_domain"] = "westmarkrobotics.com",
                        ["linkedin_url"] = "https://www.linkedin.com/in/chloewalker", ["work_email"] = Other.Email, ["phone"] = "+14155238841" },
            ],
        },
    },
    new Dictionary<string, string[]> { ["work_email"] = ["vendor"], ["phone"] = ["vendor"], ["personal_email"] = ["vendor"], ["linkedin_url"] = ["vendor"] },
    new Dictionary<string, object>
    {
        ["Tributary:Jobs:PollIntervalMs"] = 50, ["Tributary:Webhooks:AllowPrivateNetworks"] = true, ["Tributary:Webhooks:PollIntervalMs"] = 50,
        ["Tributary:Retention:JobResultsDays"] = 30, ["Tributary:Retention:TraceDays"] = 7,
    })
{
    public static class Person
    {
        public const string First = "Jordan", Last = "Rivera", Domain = "tidewell.io", Email = "jordan.rivera@tidewell.io",
            LinkedinUrl = "https://www.linkedin.com/in/jordan-rivera", Phone = "+33612345678";

        /// <summary>What must be found nowhere once the person is erased: the last name (in the email, the URL and the name) and the phone.</summary>
        public static readonly string[] Traces = ["rivera", "33612345678"];
    }

    public static class Other
    {
        public const string Email = "chloe.walker@westmarkrobotics.com";
    }

    /// <summary>Holds every provider call for the person until the returned release is set; signals when the first arrives.</summary>
    public (TaskCompletionSource Arrived, TaskCompletionSource Release) Hold()
    {
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Fakes.Specs["vendor"].BeforeAnswer = async query =>
        {
            if (!IsPerson(query)) return;
            arrived.TrySetResult();
            await release.Task;
        };
        return (arrived, release);
    }

    public void Unhold() => Fakes.Specs["vendor"].BeforeAnswer = null;

    public int CallsForPerson() => Fakes.CountFor("vendor", IsPerson);

    private static bool IsPerson(JsonObject q) =>
        q.ToJsonString().Contains("rivera", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Every column of every table with a value (text or bytes) that holds <paramref name="needle"/>, as "table.column"
    /// lines with the number of rows and one of the values, so that a failure shows what was left.
    /// </summary>
    public async Task<List<string>> TablesHoldingAsync(string needle)
    {
        await using var db = NewDb();
        await db.Database.OpenConnectionAsync();
        var connection = db.Database.GetDbConnection();
        var columns = new List<(string Table, string Column, string Type)>();
        var listing = Provider == DatabaseProvider.Sqlite
            ? "SELECT m.name, p.name, p.type FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'"
            : "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'public'";
        await using (var cmd = connection.CreateCommand())
        {
            cmd.CommandText = listing;
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync()) columns.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        }
        var found = new List<string>();
        foreach (var (table, column, type) in columns)
        {
            string? text = Provider == DatabaseProvider.Sqlite
                ? $"CAST(\"{column}\" AS TEXT)"
                : type switch
                {
                    "text" or "character varying" or "jsonb" or "json" => $"\"{column}\"::text",
                    "bytea" => $"encode(\"{column}\", 'escape')",
                    _ => null,
                };
            if (text is null) continue;
            var like = Provider == DatabaseProvider.Sqlite ? "LIKE" : "ILIKE";
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = $"SELECT count(*), substr(min({text}), 1, 300) FROM \"{table}\" WHERE {text} {like} @needle";
            var p = cmd.CreateParameter();
            p.ParameterName = "@needle";
            p.Value = "%" + needle.ToLowerInvariant() + "%";
            cmd.Parameters.Add(p);
            await using var reader = await cmd.ExecuteReaderAsync();
            await reader.ReadAsync();
            if (reader.GetInt64(0) > 0) found.Add($"{table}.{column} ({reader.GetInt64(0)} rows, e.g. {reader.GetString(1)})");
        }
        return found;
    }

    /// <summary>SQLite: the files of the database (main, WAL, shared memory) that hold <paramref name="needle"/> anywhere in their bytes.</summary>
    public List<string> FilesHolding(string needle)
    {
        var path = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(Database.ConnectionString).DataSource;
        var found = new List<string>();
        foreach (var file in new[] { path, path + "-wal", path + "-shm", path + "-journal" })
        {
            if (!File.Exists(file)) continue;
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            var text = Encoding.Latin1.GetString(memory.ToArray());
            if (text.Contains(needle, StringComparison.OrdinalIgnoreCase)) found.Add($"{Path.GetFileName(file)} ({memory.Length} bytes)");
        }
        return found;
    }
}

public sealed class ErasureSqliteApp() : ErasureApp(DatabaseProvider.Sqlite);
public sealed class ErasurePostgresApp() : ErasureApp(DatabaseProvider.Postgres);
