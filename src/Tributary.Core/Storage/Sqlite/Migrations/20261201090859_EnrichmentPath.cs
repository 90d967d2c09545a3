using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tributary.Core.Storage.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class EnrichmentPath : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "expires_at",
                table: "credit_reservations",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "inflight_claims",
                columns: table => new
                {
                    workspace_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    identity_key = table.Column<string>(type: "TEXT", nullable: false),
                    channel = table.Column<string>(type: "TEXT", nullable: false),
                    owner = table.Column<Guid>(type: "TEXT", nullable: false),
                    lease_expires_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_inflight_claims", x => new { x.workspace_id, x.identity_key, x.channel });
                });

            migrationBuilder.CreateIndex(
                name: "ix_credit_reservations_closed_at_expires_at",
                table: "credit_reservations",
                columns: new[] { "closed_at", "expires_at" });

            migrationBuilder.CreateIndex(
                name: "ix_inflight_claims_owner",
                table: "inflight_claims",
                column: "owner");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "inflight_claims");

            migrationBuilder.DropIndex(
                name: "ix_credit_reservations_closed_at_expires_at",
                table: "credit_reservations");

            migrationBuilder.DropColumn(
                name: "expires_at",
                table: "credit_reservations");
        }
    }
}
