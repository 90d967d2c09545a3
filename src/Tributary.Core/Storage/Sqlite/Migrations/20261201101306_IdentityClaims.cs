using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tributary.Core.Storage.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class IdentityClaims : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "identity_claims",
                columns: table => new
                {
                    workspace_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    identity_key = table.Column<string>(type: "TEXT", nullable: false),
                    contact_id = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_identity_claims", x => new { x.workspace_id, x.identity_key });
                });

            migrationBuilder.CreateIndex(
                name: "ix_identity_claims_contact_id",
                table: "identity_claims",
                column: "contact_id");

            // Existing contacts: each key goes to the oldest contact that holds it.
            foreach (var (prefix, column) in new[] { ("email:", "email_key"), ("linkedin:", "linkedin_key"), ("x:", "x_key"), ("github:", "github_key"), ("name:", "name_key") })
                migrationBuilder.Sql($"""
                    INSERT INTO identity_claims (workspace_id, identity_key, contact_id)
                    SELECT workspace_id, '{prefix}' || {column}, id FROM contacts WHERE {column} IS NOT NULL ORDER BY created_at, seq
                    ON CONFLICT (workspace_id, identity_key) DO NOTHING
                    """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "identity_claims");
        }
    }
}
