using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Tributary.Core.Storage;

/// <summary>A key of the installation itself (not of a workspace), shared by every server process through the database.</summary>
public sealed class ServerSecret
{
    public required string Name { get; set; }
    /// <summary>Base64 of the random bytes.</summary>
    public required string Value { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>
/// Server keys by name, made on first use: each process proposes 32 random bytes with an insert that does nothing when
/// the name exists, then reads the row back, so processes racing for the first one all end up with the same key.
/// A key never changes once written, so each process keeps what it read.
/// </summary>
public sealed class ServerSecrets(TributaryDbFactory dbs, TimeProvider time)
{
    public const string ConsoleDownloads = "console_downloads";

    private readonly ConcurrentDictionary<string, byte[]> _read = new(StringComparer.Ordinal);

    public async Task<byte[]> GetAsync(string name, CancellationToken ct)
    {
        if (_read.TryGetValue(name, out var known)) return known;
        await using var db = dbs.Create();
        var proposed = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        await Sql.ExecuteAsync(db, $"""
            INSERT INTO server_secrets (name, value, created_at) VALUES ({name}, {proposed}, {time.GetUtcNow().UtcDateTime})
            ON CONFLICT (name) DO NOTHING
            """, ct);
        var stored = await Sql.QueryAsync(db, $"SELECT value FROM server_secrets WHERE name = {name}", r => r.GetString(0), ct);
        return _read.GetOrAdd(name, Convert.FromBase64String(stored.Single()));
    }
}
