using Npgsql;
using Tributary.Core.Storage;

namespace Tributary.Tests.Infrastructure;

/// <summary>A fresh, empty database for one fixture: a SQLite file in a temp folder, or a new PostgreSQL database.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string? _directory;
    private readonly string? _postgresName;

    private TestDatabase(DatabaseProvider provider, string connectionString, string? directory, string? postgresName)
    {
        Provider = provider;
        ConnectionString = connectionString;
        _directory = directory;
        _postgresName = postgresName;
    }

    public DatabaseProvider Provider { get; }
    public string ConnectionString { get; }
    public DatabaseOptions Options => new() { Provider = Provider, ConnectionString = ConnectionString };

    public static async Task<TestDatabase> CreateAsync(DatabaseProvider provider)
    {
        if (provider == DatabaseProvider.Sqlite)
        {
            var dir = Path.Combine(Path.GetTempPath(), "tributary-tests", Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            return new TestDatabase(provider, $"Data Source={Path.Combine(dir, "test.db")}", dir, null);
        }
        var server = PostgresAvailability.ConnectionString
                     ?? throw new InvalidOperationException(PostgresAvailability.MissingMessage);
        var name = "tributary_test_" + Guid.NewGuid().ToString("N")[..12];
        await using (var conn = new NpgsqlConnection(WithDatabase(server, "postgres")))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        return new TestDatabase(provider, WithDatabase(server, name), null, name);
    }

    public async ValueTask DisposeAsync()
    {
        if (_postgresName is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var conn = new NpgsqlConnection(WithDatabase(PostgresAvailability.ConnectionString!, "postgres"));
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_postgresName} WITH (FORCE)", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        if (_directory is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
        }
    }

    // A modest pool per fixture: test classes run in parallel, each with its own server and pool.
    private static string WithDatabase(string connectionString, string database) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Database = database, MaxPoolSize = 40 }.ToString();
}

/// <summary>
/// PostgreSQL tests run when <c>TRIBUTARY_TEST_POSTGRES</c> holds a connection string to a server whose user may create
/// databases (each fixture creates and drops its own). Without it they are skipped, except under CI, where a missing
/// PostgreSQL fails them instead.
/// </summary>
public static class PostgresAvailability
{
    public const string Variable = "TRIBUTARY_TEST_POSTGRES";

    public static string? ConnectionString =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } cs ? cs : null;

    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static string MissingMessage =>
        $"PostgreSQL is required here but {Variable} is not set (e.g. {Variable}=\"Host=127.0.0.1;Port=55432;Username=postgres\")";

    public static string? SkipReason => ConnectionString is null && !InCi
        ? $"PostgreSQL tests are skipped: set {Variable} to a PostgreSQL connection string to run them"
        : null;
}
