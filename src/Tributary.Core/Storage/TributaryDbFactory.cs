using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Tributary.Core.Storage;

/// <summary>Creates contexts of the configured provider; registered once, used by requests and background work alike.</summary>
public sealed class TributaryDbFactory
{
    private readonly DatabaseOptions _options;
    private readonly DbContextOptions<SqliteTributaryDb>? _sqlite;
    private readonly DbContextOptions<PostgresTributaryDb>? _postgres;

    public TributaryDbFactory(DatabaseOptions options)
    {
        _options = options;
        if (options.Provider == DatabaseProvider.Sqlite)
            _sqlite = SqliteOptions(SqliteConnectionString(options.ConnectionString));
        else
            _postgres = PostgresOptions(options.ConnectionString);
    }

    public DatabaseProvider Provider => _options.Provider;

    public TributaryDb Create() => _options.Provider == DatabaseProvider.Sqlite
        ? new SqliteTributaryDb(_sqlite!)
        : new PostgresTributaryDb(_postgres!);

    /// <summary>Applies pending migrations; for SQLite also switches the file to WAL so readers never wait for writers.</summary>
    public async Task MigrateAsync(CancellationToken ct = default)
    {
        await using var db = Create();
        if (Provider == DatabaseProvider.Sqlite)
        {
            await db.Database.OpenConnectionAsync(ct);
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
        }
        await db.Database.MigrateAsync(ct);
    }

    internal static string SqliteConnectionString(string raw)
    {
        // A generous busy timeout: concurrent writers queue on SQLite's single write lock instead of failing.
        var builder = new SqliteConnectionStringBuilder(raw);
        if (builder.DefaultTimeout < 60) builder.DefaultTimeout = 60;
        return builder.ToString();
    }

    internal static DbContextOptions<SqliteTributaryDb> SqliteOptions(string connectionString) =>
        new DbContextOptionsBuilder<SqliteTributaryDb>()
            .UseSqlite(connectionString, o => o.MigrationsHistoryTable("__migrations"))
            .Options;

    internal static DbContextOptions<PostgresTributaryDb> PostgresOptions(string connectionString) =>
        new DbContextOptionsBuilder<PostgresTributaryDb>()
            .UseNpgsql(connectionString, o => o.MigrationsHistoryTable("__migrations"))
            .Options;
}

/// <summary>Lets `dotnet ef migrations add … --context SqliteTributaryDb` build the model without a host.</summary>
public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteTributaryDb>
{
    public SqliteTributaryDb CreateDbContext(string[] args) =>
        new(TributaryDbFactory.SqliteOptions("Data Source=design.db"));
}

public sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresTributaryDb>
{
    public PostgresTributaryDb CreateDbContext(string[] args) =>
        new(TributaryDbFactory.PostgresOptions("Host=localhost;Database=design"));
}
