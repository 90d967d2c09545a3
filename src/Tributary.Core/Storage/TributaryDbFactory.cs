using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Tributary.Core.Storage;

/// <summary>
/// Creates contexts of the configured provider from a pool (a context is reset and reused when disposed, instead of being
/// built anew for each of the several units of work a request does); registered once, used by requests and background
/// work alike. EF's own logging goes to the host's loggers.
/// </summary>
public sealed class TributaryDbFactory
{
    private const int PoolSize = 1024;
    private readonly DatabaseOptions _options;
    private readonly PooledDbContextFactory<SqliteTributaryDb>? _sqlite;
    private readonly PooledDbContextFactory<PostgresTributaryDb>? _postgres;
    private readonly DbContextOptions _contextOptions;

    public TributaryDbFactory(DatabaseOptions options) : this(options, null)
    {
    }

    public TributaryDbFactory(DatabaseOptions options, ILoggerFactory? logging)
    {
        _options = options;
        if (options.Provider == DatabaseProvider.Sqlite)
            _sqlite = new((DbContextOptions<SqliteTributaryDb>)(_contextOptions = WithLogging(SqliteOptions(SqliteConnectionString(options.ConnectionString)), logging)), PoolSize);
        else
            _postgres = new((DbContextOptions<PostgresTributaryDb>)(_contextOptions = WithLogging(PostgresOptions(PostgresConnectionString(options.ConnectionString)), logging)), PoolSize);
    }

    public DatabaseProvider Provider => _options.Provider;

    public TributaryDb Create() => _options.Provider == DatabaseProvider.Sqlite
        ? _sqlite!.CreateDbContext()
        : _postgres!.CreateDbContext();

    private static DbContextOptions<T> WithLogging<T>(DbContextOptions<T> options, ILoggerFactory? logging) where T : DbContext =>
        logging is null ? options : new DbContextOptionsBuilder<T>(options).UseLoggerFactory(logging).Options;

    /// <summary>Applies pending migrations; for SQLite also switches the file to WAL so readers never wait for writers.</summary>
    public async Task MigrateAsync(CancellationToken ct = default)
    {
        // EF reads the history table before it knows the table is there, and logs that failed read of a fresh PostgreSQL
        // database as an error ("fail: … FROM __migrations") on an operator's first start. A migration that does fail throws.
        await using TributaryDb db = _options.Provider == DatabaseProvider.Sqlite
            ? new SqliteTributaryDb(QuietAboutFailedCommands((DbContextOptions<SqliteTributaryDb>)_contextOptions))
            : new PostgresTributaryDb(QuietAboutFailedCommands((DbContextOptions<PostgresTributaryDb>)_contextOptions));
        if (Provider == DatabaseProvider.Sqlite)
        {
            await db.Database.OpenConnectionAsync(ct);
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
        }
        await db.Database.MigrateAsync(ct);
    }

    private static DbContextOptions<T> QuietAboutFailedCommands<T>(DbContextOptions<T> options) where T : DbContext =>
        new DbContextOptionsBuilder<T>(options)
            .ConfigureWarnings(w => w.Ignore(Microsoft.EntityFrameworkCore.Diagnostics.RelationalEventId.CommandError)).Options;

    internal static string SqliteConnectionString(string raw)
    {
        // A generous busy timeout: concurrent writers queue on SQLite's single write lock instead of failing.
        var builder = new SqliteConnectionStringBuilder(raw);
        if (builder.DefaultTimeout < 60) builder.DefaultTimeout = 60;
        return builder.ToString();
    }

    /// <summary>
    /// Statements Npgsql sees often are prepared on the server (unless the connection string says otherwise): every
    /// enrichment, claim and settlement sends the same few dozen statement texts, each parsed and planned again otherwise.
    /// </summary>
    internal static string PostgresConnectionString(string raw)
    {
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = raw };
        if (given.ContainsKey("Max Auto Prepare") || given.ContainsKey("MaxAutoPrepare")) return raw;
        return new Npgsql.NpgsqlConnectionStringBuilder(raw) { MaxAutoPrepare = 64 }.ToString();
    }

    internal static DbContextOptions<SqliteTributaryDb> SqliteOptions(string connectionString) =>
        new DbContextOptionsBuilder<SqliteTributaryDb>()
            // Small batches: Microsoft.Data.Sqlite binds each statement of a batched command by looking up every
            // parameter of the whole command by name, so a batch's cost grows with the square of its size (see Sql).
            .UseSqlite(connectionString, o => o.MigrationsHistoryTable("__migrations").MaxBatchSize(8))
            .AddInterceptors(SqliteConnectionSetup.Instance)
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

/// <summary>
/// Per-connection SQLite settings. In WAL mode, <c>synchronous=NORMAL</c> keeps every committed transaction through a
/// crash or a kill of the process (the WAL is written before the commit returns) and gives up only the last transactions
/// before a power loss; <c>FULL</c> would add an fsync to every commit, which on a shared disk caps the whole server at a
/// few hundred transactions per second (measured: the 200 requests/s overhead run collapsed to 40 s queues).
/// <c>busy_timeout</c> (the connection's 60 s default timeout) lets a writer that finds the lock taken wait inside SQLite,
/// in steps of a few milliseconds, instead of returning to Microsoft.Data.Sqlite, whose own retry sleeps 150 ms a time.
/// <c>secure_delete</c> zeroes what a delete or an update frees, so an erased person leaves no bytes behind in the file
/// (DESIGN §4; the erasure then truncates the WAL).
/// </summary>
/// Microsoft.Data.Sqlite pools the physical connections behind every open, and these settings stay with one, so they run
/// once per physical connection (its native handle), not on each of the several opens a request makes: parsing and running
/// them on every open cost about 2% of the CPU of a server answering cached enrichments.
/// </summary>
internal sealed class SqliteConnectionSetup : Microsoft.EntityFrameworkCore.Diagnostics.DbConnectionInterceptor
{
    public static readonly SqliteConnectionSetup Instance = new();
    private const string Pragmas = "PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY; PRAGMA busy_timeout=60000; PRAGMA secure_delete=ON;";
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<object, object> SetUp = new();

    public override void ConnectionOpened(System.Data.Common.DbConnection connection, Microsoft.EntityFrameworkCore.Diagnostics.ConnectionEndEventData eventData)
    {
        if (IsSetUp(connection)) return;
        using var cmd = connection.CreateCommand();
        cmd.CommandText = Pragmas;
        cmd.ExecuteNonQuery();
        MarkSetUp(connection);
    }

    public override async Task ConnectionOpenedAsync(System.Data.Common.DbConnection connection,
        Microsoft.EntityFrameworkCore.Diagnostics.ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (IsSetUp(connection)) return;
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = Pragmas;
        await cmd.ExecuteNonQueryAsync(cancellationToken);
        MarkSetUp(connection);
    }

    private static bool IsSetUp(System.Data.Common.DbConnection connection) =>
        connection is SqliteConnection { Handle: { } handle } && SetUp.TryGetValue(handle, out _);

    private static void MarkSetUp(System.Data.Common.DbConnection connection)
    {
        if (connection is SqliteConnection { Handle: { } handle }) SetUp.AddOrUpdate(handle, SetUp);
    }
}
