using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Tributary.Core.Companies;
using Tributary.Core.Contacts;
using Tributary.Core.Credits;
using Tributary.Core.Erasure;
using Tributary.Core.Idempotency;
using Tributary.Core.Jobs;
using Tributary.Core.RateLimits;
using Tributary.Core.Waterfall;
using Tributary.Core.Webhooks;
using Tributary.Core.Workspaces;

namespace Tributary.Core.Storage;

/// <summary>
/// The one schema of Tributary. Each database provider has its own subclass so that it keeps its own migrations
/// (<see cref="SqliteTributaryDb"/>, <see cref="PostgresTributaryDb"/>); code uses this base type.
/// </summary>
public abstract class TributaryDb(DbContextOptions options) : DbContext(options)
{
    public DbSet<Workspace> Workspaces => Set<Workspace>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<Contact> Contacts => Set<Contact>();
    public DbSet<Company> Companies => Set<Company>();
    public DbSet<CreditAccount> CreditAccounts => Set<CreditAccount>();
    public DbSet<CreditReservation> CreditReservations => Set<CreditReservation>();
    public DbSet<LedgerEntry> LedgerEntries => Set<LedgerEntry>();
    public DbSet<CacheEntry> CacheEntries => Set<CacheEntry>();
    public DbSet<EnrichmentRecord> EnrichmentRecords => Set<EnrichmentRecord>();
    public DbSet<Job> Jobs => Set<Job>();
    public DbSet<JobItem> JobItems => Set<JobItem>();
    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();
    public DbSet<RateCounter> RateCounters => Set<RateCounter>();
    public DbSet<WebhookMessage> WebhookMessages => Set<WebhookMessage>();
    public DbSet<WebhookAttempt> WebhookAttempts => Set<WebhookAttempt>();
    public DbSet<Enrichment.InFlightClaim> InFlightClaims => Set<Enrichment.InFlightClaim>();
    public DbSet<LeadRecord> LeadRecords => Set<LeadRecord>();
    public DbSet<ChangeCounter> ChangeCounters => Set<ChangeCounter>();
    public DbSet<IdentityClaim> IdentityClaims => Set<IdentityClaim>();
    public DbSet<Providers.Usage.ProviderUsageDay> ProviderUsage => Set<Providers.Usage.ProviderUsageDay>();
    public DbSet<Tombstone> Tombstones => Set<Tombstone>();
    public DbSet<Suppression> Suppressions => Set<Suppression>();
    public DbSet<ErasureLogEntry> ErasureLog => Set<ErasureLogEntry>();
    public DbSet<ServerSecret> ServerSecrets => Set<ServerSecret>();
    public DbSet<Providers.Vendors.PendingVendorAnswer> PendingVendorAnswers => Set<Providers.Vendors.PendingVendorAnswer>();

    public abstract DatabaseProvider Provider { get; }

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<Workspace>(e =>
        {
            e.ToTable("workspaces");
            e.HasKey(x => x.Id);
            e.Property(x => x.Name).HasMaxLength(200);
            e.Ignore(x => x.PhoneCountries);
        });

        model.Entity<ApiKey>(e =>
        {
            e.ToTable("api_keys");
            e.HasKey(x => x.Id);
            e.HasIndex(x => x.SecretHash).IsUnique();
            e.HasIndex(x => x.WorkspaceId);
            e.Ignore(x => x.PermissionList);
        });

        model.Entity<Contact>(e =>
        {
            e.ToTable("contacts");
            e.HasKey(x => x.Seq);
            e.Property(x => x.Seq).ValueGeneratedOnAdd();
            e.HasAlternateKey(x => x.Id);
            e.HasIndex(x => new { x.WorkspaceId, x.CreatedAt, x.Seq });
            e.HasIndex(x => new { x.WorkspaceId, x.EmailKey });
            e.HasIndex(x => new { x.WorkspaceId, x.LinkedinKey });
            e.HasIndex(x => new { x.WorkspaceId, x.XKey });
            e.HasIndex(x => new { x.WorkspaceId, x.GithubKey });
            e.HasIndex(x => new { x.WorkspaceId, x.NameKey });
        });

        model.Entity<Company>(e =>
        {
            e.ToTable("companies");
            e.HasKey(x => x.Seq);
            e.Property(x => x.Seq).ValueGeneratedOnAdd();
            e.HasAlternateKey(x => x.Id);
            e.HasIndex(x => new { x.WorkspaceId, x.Domain }).IsUnique();
            e.HasIndex(x => new { x.WorkspaceId, x.CreatedAt, x.Seq });
        });

        model.Entity<CreditAccount>(e =>
        {
            e.ToTable("credit_accounts", t =>
            {
                t.HasCheckConstraint("ck_credit_accounts_balance", "granted - charged - reserved >= 0");
                t.HasCheckConstraint("ck_credit_accounts_reserved", "reserved >= 0");
                t.HasCheckConstraint("ck_credit_accounts_charged", "charged >= 0");
            });
            e.HasKey(x => x.WorkspaceId);
        });

        model.Entity<CreditReservation>(e =>
        {
            e.ToTable("credit_reservations", t =>
                t.HasCheckConstraint("ck_credit_reservations_remaining", "remaining >= 0 AND remaining <= amount"));
            e.HasKey(x => x.Id);
            e.HasIndex(x => x.WorkspaceId);
            e.HasIndex(x => new { x.ClosedAt, x.ExpiresAt });
        });

        model.Entity<Enrichment.InFlightClaim>(e =>
        {
            e.ToTable("inflight_claims");
            e.HasKey(x => new { x.WorkspaceId, x.IdentityKey, x.Channel });
            e.HasIndex(x => x.Owner);
        });

        model.Entity<LedgerEntry>(e =>
        {
            e.ToTable("ledger_entries", t => t.HasCheckConstraint("ck_ledger_entries_amount", "amount > 0"));
            e.HasKey(x => x.Seq);
            e.Property(x => x.Seq).ValueGeneratedOnAdd();
            e.HasAlternateKey(x => x.Id);
            e.HasIndex(x => new { x.WorkspaceId, x.Seq });
        });

        model.Entity<CacheEntry>(e =>
        {
            e.ToTable("enrichment_cache");
            e.HasKey(x => new { x.WorkspaceId, x.IdentityKey, x.Channel });
            e.HasIndex(x => x.ExpiresAt);
        });

        model.Entity<EnrichmentRecord>(e =>
        {
            e.ToTable("enrichments");
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.WorkspaceId, x.CreatedAt });
        });

        model.Entity<Job>(e =>
        {
            e.ToTable("jobs");
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.WorkspaceId, x.CreatedAt });
            e.HasIndex(x => x.Status);
        });

        model.Entity<JobItem>(e =>
        {
            e.ToTable("job_items");
            e.HasKey(x => x.Seq);
            e.Property(x => x.Seq).ValueGeneratedOnAdd();
            e.HasAlternateKey(x => x.Id);
            e.HasIndex(x => new { x.JobId, x.Position });
            e.HasIndex(x => new { x.Status, x.LeaseExpiresAt });
        });

        model.Entity<IdentityClaim>(e =>
        {
            e.ToTable("identity_claims");
            e.HasKey(x => new { x.WorkspaceId, x.IdentityKey });
            e.HasIndex(x => x.ContactId);
        });

        model.Entity<ChangeCounter>(e =>
        {
            e.ToTable("change_counters");
            e.HasKey(x => x.Name);
        });

        model.Entity<ServerSecret>(e =>
        {
            e.ToTable("server_secrets");
            e.HasKey(x => x.Name);
            e.Property(x => x.Name).HasMaxLength(100);
        });

        model.Entity<Providers.Vendors.PendingVendorAnswer>(e =>
        {
            e.ToTable("pending_vendor_answers");
            e.HasKey(x => x.Id);
            e.Property(x => x.Provider).HasMaxLength(200);
            e.Property(x => x.VendorKey).HasMaxLength(200);
            e.Property(x => x.State).HasMaxLength(20);
            e.HasIndex(x => new { x.Provider, x.VendorKey });
            // The late answers still to store, and the rows old enough to forget.
            e.HasIndex(x => new { x.State, x.WaitUntil });
            e.HasIndex(x => x.JobItemId);
        });

        model.Entity<LeadRecord>(e =>
        {
            e.ToTable("lead_records");
            e.HasKey(x => x.Id);
            e.Property(x => x.Field).HasMaxLength(20);
            e.HasIndex(x => new { x.WorkspaceId, x.ContactId, x.Field }).IsUnique();
            e.HasIndex(x => x.ItemId);
        });

        model.Entity<IdempotencyRecord>(e =>
        {
            e.ToTable("idempotency_records");
            e.HasKey(x => new { x.WorkspaceId, x.Method, x.Path, x.Key });
            e.HasIndex(x => x.ExpiresAt);
        });

        model.Entity<RateCounter>(e =>
        {
            e.ToTable("rate_counters");
            e.HasKey(x => new { x.WorkspaceId, x.Class, x.WindowStart });
        });

        model.Entity<Providers.Usage.ProviderUsageDay>(e =>
        {
            e.ToTable("provider_usage");
            e.HasKey(x => new { x.Provider, x.Day });
            e.Property(x => x.Provider).HasMaxLength(200);
        });

        model.Entity<WebhookMessage>(e =>
        {
            e.ToTable("webhook_messages");
            e.HasKey(x => x.Id);
            e.Property(x => x.Kind).HasMaxLength(100);
            e.Property(x => x.Status).HasMaxLength(20);
            e.Ignore(x => x.WebhookId);
            e.HasIndex(x => new { x.Status, x.NextAttemptAt });
            e.HasIndex(x => new { x.WorkspaceId, x.ContactId });
        });

        model.Entity<WebhookAttempt>(e =>
        {
            e.ToTable("webhook_attempts");
            e.HasKey(x => x.Seq);
            e.Property(x => x.Seq).ValueGeneratedOnAdd();
            e.HasAlternateKey(x => x.Id);
            e.Property(x => x.Outcome).HasMaxLength(20);
            e.HasOne<WebhookMessage>().WithMany().HasForeignKey(x => x.MessageId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(x => new { x.WorkspaceId, x.Seq });
        });

        model.Entity<Tombstone>(e =>
        {
            e.ToTable("erasure_tombstones");
            e.HasKey(x => new { x.WorkspaceId, x.KeyHash });
            e.Property(x => x.KeyHash).HasMaxLength(64);
        });

        model.Entity<Suppression>(e =>
        {
            e.ToTable("suppressions");
            e.HasKey(x => x.Seq);
            e.Property(x => x.Seq).ValueGeneratedOnAdd();
            e.HasAlternateKey(x => x.Id);
            e.Property(x => x.Kind).HasMaxLength(20);
            e.Property(x => x.KeyHash).HasMaxLength(64);
            e.HasIndex(x => new { x.WorkspaceId, x.KeyHash }).IsUnique();
            e.HasIndex(x => new { x.WorkspaceId, x.CreatedAt, x.Seq });
        });

        model.Entity<ErasureLogEntry>(e =>
        {
            e.ToTable("erasure_log");
            e.HasKey(x => x.Seq);
            e.Property(x => x.Seq).ValueGeneratedOnAdd();
            e.HasAlternateKey(x => x.Id);
            e.HasIndex(x => new { x.WorkspaceId, x.ErasedAt, x.Seq });
        });

        ApplySnakeCaseNames(model);
        ReadDatesAsUtc(model);
    }

    private static void ApplySnakeCaseNames(ModelBuilder model)
    {
        foreach (var entity in model.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
                property.SetColumnName(ToSnakeCase(property.Name));
            foreach (var key in entity.GetKeys())
                key.SetName(ToSnakeCase(key.GetName() ?? ""));
            foreach (var index in entity.GetIndexes())
                index.SetDatabaseName(ToSnakeCase(index.GetDatabaseName() ?? ""));
            foreach (var foreignKey in entity.GetForeignKeys())
                foreignKey.SetConstraintName(ToSnakeCase(foreignKey.GetConstraintName() ?? ""));
        }
    }

    // SQLite hands dates back without a kind; everything Tributary stores is UTC.
    private static void ReadDatesAsUtc(ModelBuilder model)
    {
        var utc = new ValueConverter<DateTime, DateTime>(v => v, v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
        var nullableUtc = new ValueConverter<DateTime?, DateTime?>(
            v => v, v => v.HasValue ? DateTime.SpecifyKind(v.Value, DateTimeKind.Utc) : v);
        foreach (var property in model.Model.GetEntityTypes().SelectMany(e => e.GetProperties()))
        {
            if (property.ClrType == typeof(DateTime)) property.SetValueConverter(utc);
            else if (property.ClrType == typeof(DateTime?)) property.SetValueConverter(nullableUtc);
        }
    }

    internal static string ToSnakeCase(string name)
    {
        var sb = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0 && name[i - 1] != '_' && (char.IsLower(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1]))))
                    sb.Append('_');
                sb.Append(char.ToLowerInvariant(c));
            }
            else sb.Append(c);
        }
        return sb.ToString();
    }
}

public enum DatabaseProvider { Sqlite, Postgres }

public sealed class SqliteTributaryDb(DbContextOptions<SqliteTributaryDb> options) : TributaryDb(options)
{
    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;
}

public sealed class PostgresTributaryDb(DbContextOptions<PostgresTributaryDb> options) : TributaryDb(options)
{
    public override DatabaseProvider Provider => DatabaseProvider.Postgres;
}
