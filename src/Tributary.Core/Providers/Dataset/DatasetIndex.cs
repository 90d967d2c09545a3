using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CsvHelper;
using Microsoft.Data.Sqlite;
using Tributary.Core.Contacts;

namespace Tributary.Core.Providers.Dataset;

/// <summary>
/// An operator's dataset files indexed on disk in a SQLite file of their own, keyed by the files' paths, sizes and
/// modification times: built once (streamed, so a million records need no more memory than one batch), reused by
/// every later start, and rebuilt when a file changes. Lookups are single indexed queries.
/// </summary>
public sealed class DatasetIndex
{
    private readonly string _connectionString;

    private DatasetIndex(string path) =>
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = true }.ToString();

    public static async Task<DatasetIndex> OpenAsync(string name, IReadOnlyList<string> people, IReadOnlyList<string> companies,
        string indexDirectory, CancellationToken ct)
    {
        Directory.CreateDirectory(indexDirectory);
        var path = Path.Combine(indexDirectory, $"{Sanitize(name)}-{Fingerprint(people, companies)}.db");
        if (!File.Exists(path))
        {
            var building = path + "." + Guid.NewGuid().ToString("N")[..8] + ".building";
            await BuildAsync(building, people, companies, ct);
            SqliteConnection.ClearAllPools();
            File.Move(building, path, overwrite: true);
        }
        return new DatasetIndex(path);
    }

    /// <summary>The first person matching, in precedence: email, LinkedIn, x, github, first+last+company_domain.</summary>
    public async Task<JsonElement?> FindPersonAsync(MatchKeys keys, CancellationToken ct)
    {
        await using var conn = new SqliteConnection(_connectionString);
        await conn.OpenAsync(ct);
        foreach (var (column, value) in new[] { ("email_key", keys.Email), ("linkedin_key", keys.Linkedin), ("x_key", keys.X),
                     ("github_key", keys.Github), ("name_key", keys.Name) })
        {
            if (value is null) continue;
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = $"SELECT data FROM people WHERE {column} = $v LIMIT 1";
            cmd.Parameters.AddWithValue("$v", value);
            if (await cmd.ExecuteScalarAsync(ct) is string json) return JsonDocument.Parse(json).RootElement.Clone();
        }
        return null;
    }

    public async Task<JsonElement?> FindCompanyAsync(string domain, CancellationToken ct)
    {
        await using var conn = new SqliteConnection(_connectionString);
        await conn.OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT data FROM companies WHERE domain = $d LIMIT 1";
        cmd.Parameters.AddWithValue("$d", domain);
        return await cmd.ExecuteScalarAsync(ct) is string json ? JsonDocument.Parse(json).RootElement.Clone() : null;
    }

    /// <summary>Known (first, last, email) triples at a domain, for learning its email pattern.</summary>
    public async Task<List<(string First, string Last, string Email)>> PeopleAtDomainAsync(string domain, int limit, CancellationToken ct)
    {
        await using var conn = new SqliteConnection(_connectionString);
        await conn.OpenAsync(ct);
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT first_name, last_name, email_key FROM people WHERE email_domain = $d AND first_name IS NOT NULL AND last_name IS NOT NULL LIMIT $n";
        cmd.Parameters.AddWithValue("$d", domain);
        cmd.Parameters.AddWithValue("$n", limit);
        var list = new List<(string, string, string)>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) list.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        return list;
    }

    private static async Task BuildAsync(string path, IReadOnlyList<string> people, IReadOnlyList<string> companies, CancellationToken ct)
    {
        await using var conn = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        await conn.OpenAsync(ct);
        await Exec(conn, """
            PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
            CREATE TABLE people (email_key TEXT, linkedin_key TEXT, x_key TEXT, github_key TEXT, name_key TEXT,
                                 email_domain TEXT, first_name TEXT, last_name TEXT, data TEXT NOT NULL);
            CREATE TABLE companies (domain TEXT PRIMARY KEY, data TEXT NOT NULL);
            """, ct);
        foreach (var file in people) await LoadAsync(conn, file, InsertPerson, ct);
        foreach (var file in companies) await LoadAsync(conn, file, InsertCompany, ct);
        await Exec(conn, """
            CREATE INDEX people_email ON people(email_key); CREATE INDEX people_linkedin ON people(linkedin_key);
            CREATE INDEX people_x ON people(x_key); CREATE INDEX people_github ON people(github_key);
            CREATE INDEX people_name ON people(name_key); CREATE INDEX people_domain ON people(email_domain);
            """, ct);
    }

    private static async Task LoadAsync(SqliteConnection conn, string file, Func<SqliteCommand, Dictionary<string, JsonElement>, bool> bind,
        CancellationToken ct)
    {
        var count = 0;
        var tx = conn.BeginTransaction();
        await using var cmd = conn.CreateCommand();
        cmd.Transaction = tx;
        await foreach (var record in ReadRecordsAsync(file, ct))
        {
            cmd.Parameters.Clear();
            if (!bind(cmd, record)) continue;
            await cmd.ExecuteNonQueryAsync(ct);
            if (++count % 10_000 == 0)
            {
                tx.Commit();
                tx.Dispose();
                tx = conn.BeginTransaction();
                cmd.Transaction = tx;
            }
        }
        tx.Commit();
        tx.Dispose();
    }

    private static bool InsertPerson(SqliteCommand cmd, Dictionary<string, JsonElement> r)
    {
        string? Text(string name) => r.TryGetValue(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var email = Text("work_email") ?? Text("email");
        var first = Text("first_name");
        var last = Text("last_name");
        var domain = Text("company_domain");
        var emailKey = Identity.EmailKey(email);
        cmd.CommandText = """
            INSERT INTO people (email_key, linkedin_key, x_key, github_key, name_key, email_domain, first_name, last_name, data)
            VALUES ($e, $l, $x, $g, $n, $ed, $f, $la, $data)
            """;
        cmd.Parameters.AddWithValue("$e", (object?)emailKey ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$l", (object?)Identity.LinkedinKey(Text("linkedin_url")) ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$x", (object?)Identity.XKey(Text("x_handle")) ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$g", (object?)Identity.GithubKey(Text("github_username")) ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$n", (object?)Identity.NameKey(first, last, domain) ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$ed", (object?)(emailKey is null ? null : emailKey[(emailKey.IndexOf('@') + 1)..]) ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$f", (object?)first ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$la", (object?)last ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$data", JsonSerializer.Serialize(r));
        return true;
    }

    private static bool InsertCompany(SqliteCommand cmd, Dictionary<string, JsonElement> r)
    {
        var domain = Identity.Domain(r.TryGetValue("domain", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString()
            : r.TryGetValue("company_domain", out var cd) && cd.ValueKind == JsonValueKind.String ? cd.GetString() : null);
        if (domain is null) return false;
        cmd.CommandText = "INSERT OR REPLACE INTO companies (domain, data) VALUES ($d, $data)";
        cmd.Parameters.AddWithValue("$d", domain);
        cmd.Parameters.AddWithValue("$data", JsonSerializer.Serialize(r));
        return true;
    }

    /// <summary>Records of a JSONL file (one object per line) or a CSV file (column names = channel names).</summary>
    private static async IAsyncEnumerable<Dictionary<string, JsonElement>> ReadRecordsAsync(string file,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        if (file.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
        {
            await using var stream = File.OpenRead(file);
            await using var csv = CsvReader.Create(stream, new CsvReaderOptions { HasHeader = true, SkipEmptyLines = true }, leaveOpen: false);
            await csv.ReadHeaderAsync(ct);
            var headers = csv.Headers.Select(h => h.Trim().ToLowerInvariant()).ToArray();
            while (await csv.ReadAsync(ct))
            {
                var record = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
                for (var i = 0; i < Math.Min(headers.Length, csv.FieldCount); i++)
                {
                    var cell = csv.GetString(i);
                    if (string.IsNullOrWhiteSpace(cell)) continue;
                    record[headers[i]] = CsvCell(headers[i], cell.Trim());
                }
                yield return record;
            }
            yield break;
        }
        using var reader = new StreamReader(file, Encoding.UTF8);
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            Dictionary<string, JsonElement>? record;
            try { record = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(line); }
            catch (JsonException) { continue; }
            if (record is not null) yield return record;
        }
    }

    /// <summary>CSV cells are text; numeric and list channels get their JSON type back.</summary>
    private static JsonElement CsvCell(string column, string cell) => column switch
    {
        "employee_count" or "founded_year" or "total_raised_usd" when long.TryParse(cell, out var n) => JsonSerializer.SerializeToElement(n),
        "tech_stack" => JsonSerializer.SerializeToElement(cell.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)),
        "signals" when cell.StartsWith('{') => JsonDocument.Parse(cell).RootElement.Clone(),
        _ => JsonSerializer.SerializeToElement(cell),
    };

    private static string Fingerprint(IReadOnlyList<string> people, IReadOnlyList<string> companies)
    {
        var sb = new StringBuilder("v1");
        foreach (var (kind, files) in new[] { ("p", people), ("c", companies) })
        foreach (var f in files)
        {
            var info = new FileInfo(f);
            if (!info.Exists) throw new FileNotFoundException($"dataset file '{f}' does not exist", f);
            sb.Append('|').Append(kind).Append(info.FullName).Append(info.Length).Append(info.LastWriteTimeUtc.Ticks);
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())))[..16];
    }

    private static string Sanitize(string name) => new(name.Select(c => char.IsLetterOrDigit(c) ? c : '_').ToArray());

    private static async Task Exec(SqliteConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
