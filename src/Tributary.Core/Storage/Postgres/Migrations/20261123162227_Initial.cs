using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Tributary.Core.Storage.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "api_keys",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    workspace_id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "text", nullable: false),
                    secret_hash = table.Column<string>(type: "text", nullable: false),
                    permissions = table.Column<string>(type: "text", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    expires_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    revoked_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_api_keys", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "companies",
                columns: table => new
                {
                    seq = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    workspace_id = table.Column<Guid>(type: "uuid", nullable: false),
                    domain = table.Column<string>(type: "text", nullable: false),
                    name = table.Column<string>(type: "text", nullable: true),
                    industry = table.Column<string>(type: "text", nullable: true),
                    employee_count = table.Column<int>(type: "integer", nullable: true),
                    revenue_band = table.Column<string>(type: "text", nullable: true),
                    founded_year = table.Column<int>(type: "integer", nullable: true),
                    hq_country = table.Column<string>(type: "text", nullable: true),
                    hq_city = table.Column<string>(type: "text", nullable: true),
                    tech_stack_json = table.Column<string>(type: "text", nullable: true),
                    funding_stage = table.Column<string>(type: "text", nullable: true),
                    last_funding_date = table.Column<string>(type: "text", nullable: true),
                    total_raised_usd = table.Column<long>(type: "bigint", nullable: true),
                    description = table.Column<string>(type: "text", nullable: true),
                    logo_url = table.Column<string>(type: "text", nullable: true),
                    company_linkedin_url = table.Column<string>(type: "text", nullable: true),
                    field_sources_json = table.Column<string>(type: "text", nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_companies", x => x.seq);
                    table.UniqueConstraint("ak_companies_id", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "contacts",
                columns: table => new
                {
                    seq = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    workspace_id = table.Column<Guid>(type: "uuid", nullable: false),
                    first_name = table.Column<string>(type: "text", nullable: true),
                    last_name = table.Column<string>(type: "text", nullable: true),
                    full_name = table.Column<string>(type: "text", nullable: true),
                    email = table.Column<string>(type: "text", nullable: true),
                    personal_email = table.Column<string>(type: "text", nullable: true),
                    phone = table.Column<string>(type: "text", nullable: true),
                    job_title = table.Column<string>(type: "text", nullable: true),
                    seniority = table.Column<string>(type: "text", nullable: true),
                    company_name = table.Column<string>(type: "text", nullable: true),
                    company_domain = table.Column<string>(type: "text", nullable: true),
                    linkedin_url = table.Column<string>(type: "text", nullable: true),
                    x_handle = table.Column<string>(type: "text", nullable: true),
                    github_username = table.Column<string>(type: "text", nullable: true),
                    location = table.Column<string>(type: "text", nullable: true),
                    tags_json = table.Column<string>(type: "text", nullable: false),
                    custom_json = table.Column<string>(type: "text", nullable: false),
                    field_sources_json = table.Column<string>(type: "text", nullable: false),
                    email_key = table.Column<string>(type: "text", nullable: true),
                    linkedin_key = table.Column<string>(type: "text", nullable: true),
                    x_key = table.Column<string>(type: "text", nullable: true),
                    github_key = table.Column<string>(type: "text", nullable: true),
                    name_key = table.Column<string>(type: "text", nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_contacts", x => x.seq);
                    table.UniqueConstraint("ak_contacts_id", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "credit_accounts",
                columns: table => new
                {
                    workspace_id = table.Column<Guid>(type: "uuid", nullable: false),
                    granted = table.Column<long>(type: "bigint", nullable: false),
                    charged = table.Column<long>(type: "bigint", nullable: false),
                    reserved = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_credit_accounts", x => x.workspace_id);
                    table.CheckConstraint("ck_credit_accounts_balance", "granted - charged - reserved >= 0");
                    table.CheckConstraint("ck_credit_accounts_charged", "charged >= 0");
                    table.CheckConstraint("ck_credit_accounts_reserved", "reserved >= 0");
                });

            migrationBuilder.CreateTable(
                name: "credit_reservations",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    workspace_id = table.Column<Guid>(type: "uuid", nullable: false),
                    amount = table.Column<long>(type: "bigint", nullable: false),
                    remaining = table.Column<long>(type: "bigint", nullable: false),
                    reason = table.Column<string>(type: "text", nullable: false),
                    enrichment_id = table.Column<Guid>(type: "uuid", nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    closed_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_credit_reservations", x => x.id);
                    table.CheckConstraint("ck_credit_reservations_remaining", "remaining >= 0 AND remaining <= amount");
                });

            migrationBuilder.CreateTable(
                name: "ledger_entries",
                columns: table => new
                {
                    seq = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    workspace_id = table.Column<Guid>(type: "uuid", nullable: false),
                    kind = table.Column<string>(type: "text", nullable: false),
                    amount = table.Column<long>(type: "bigint", nullable: false),
                    reason = table.Column<string>(type: "text", nullable: false),
                    enrichment_id = table.Column<Guid>(type: "uuid", nullable: true),
                    reservation_id = table.Column<Guid>(type: "uuid", nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ledger_entries", x => x.seq);
                    table.UniqueConstraint("ak_ledger_entries_id", x => x.id);
                    table.CheckConstraint("ck_ledger_entries_amount", "amount > 0");
                });

            migrationBuilder.CreateTable(
                name: "workspaces",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    personal_email_consent = table.Column<bool>(type: "boolean", nullable: false),
                    default_phone_countries = table.Column<string>(type: "text", nullable: false),
                    min_confidence = table.Column<double>(type: "double precision", nullable: false),
                    verification_webhook_url = table.Column<string>(type: "text", nullable: true),
                    webhook_secret = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_workspaces", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_api_keys_secret_hash",
                table: "api_keys",
                column: "secret_hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_api_keys_workspace_id",
                table: "api_keys",
                column: "workspace_id");

            migrationBuilder.CreateIndex(
                name: "ix_companies_workspace_id_created_at_seq",
                table: "companies",
                columns: new[] { "workspace_id", "created_at", "seq" });

            migrationBuilder.CreateIndex(
                name: "ix_companies_workspace_id_domain",
                table: "companies",
                columns: new[] { "workspace_id", "domain" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_contacts_workspace_id_created_at_seq",
                table: "contacts",
                columns: new[] { "workspace_id", "created_at", "seq" });

            migrationBuilder.CreateIndex(
                name: "ix_contacts_workspace_id_email_key",
                table: "contacts",
                columns: new[] { "workspace_id", "email_key" });

            migrationBuilder.CreateIndex(
                name: "ix_contacts_workspace_id_github_key",
                table: "contacts",
                columns: new[] { "workspace_id", "github_key" });

            migrationBuilder.CreateIndex(
                name: "ix_contacts_workspace_id_linkedin_key",
                table: "contacts",
                columns: new[] { "workspace_id", "linkedin_key" });

            migrationBuilder.CreateIndex(
                name: "ix_contacts_workspace_id_name_key",
                table: "contacts",
                columns: new[] { "workspace_id", "name_key" });

            migrationBuilder.CreateIndex(
                name: "ix_contacts_workspace_id_x_key",
                table: "contacts",
                columns: new[] { "workspace_id", "x_key" });

            migrationBuilder.CreateIndex(
                name: "ix_credit_reservations_workspace_id",
                table: "credit_reservations",
                column: "workspace_id");

            migrationBuilder.CreateIndex(
                name: "ix_ledger_entries_workspace_id_seq",
                table: "ledger_entries",
                columns: new[] { "workspace_id", "seq" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "api_keys");

            migrationBuilder.DropTable(
                name: "companies");

            migrationBuilder.DropTable(
                name: "contacts");

            migrationBuilder.DropTable(
                name: "credit_accounts");

            migrationBuilder.DropTable(
                name: "credit_reservations");

            migrationBuilder.DropTable(
                name: "ledger_entries");

            migrationBuilder.DropTable(
                name: "workspaces");
        }
    }
}
