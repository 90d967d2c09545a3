using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tributary.Core.Storage.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class Enrichment : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "enrichment_cache",
                columns: table => new
                {
                    workspace_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    identity_key = table.Column<string>(type: "TEXT", nullable: false),
                    channel = table.Column<string>(type: "TEXT", nullable: false),
                    found = table.Column<bool>(type: "INTEGER", nullable: false),
                    value_json = table.Column<string>(type: "TEXT", nullable: true),
                    source = table.Column<string>(type: "TEXT", nullable: true),
                    confidence = table.Column<double>(type: "REAL", nullable: false),
                    enriched_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    verified = table.Column<bool>(type: "INTEGER", nullable: true),
                    email_status = table.Column<string>(type: "TEXT", nullable: true),
                    config_hash = table.Column<string>(type: "TEXT", nullable: false),
                    expires_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_enrichment_cache", x => new { x.workspace_id, x.identity_key, x.channel });
                });

            migrationBuilder.CreateTable(
                name: "enrichments",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    workspace_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    surface = table.Column<string>(type: "TEXT", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    trace_json = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_enrichments", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_enrichment_cache_expires_at",
                table: "enrichment_cache",
                column: "expires_at");

            migrationBuilder.CreateIndex(
                name: "ix_enrichments_workspace_id_created_at",
                table: "enrichments",
                columns: new[] { "workspace_id", "created_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "enrichment_cache");

            migrationBuilder.DropTable(
                name: "enrichments");
        }
    }
}
