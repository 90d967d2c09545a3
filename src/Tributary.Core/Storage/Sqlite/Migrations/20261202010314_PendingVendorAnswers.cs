using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Tributary.Core.Storage.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class PendingVendorAnswers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "pending_vendor_answers",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    provider = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    vendor_key = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    state = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    workspace_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    job_item_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    contact_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    known_json = table.Column<string>(type: "TEXT", nullable: true),
                    channels_json = table.Column<string>(type: "TEXT", nullable: true),
                    answer_json = table.Column<string>(type: "TEXT", nullable: true),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    wait_until = table.Column<DateTime>(type: "TEXT", nullable: false),
                    answered_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_pending_vendor_answers", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_pending_vendor_answers_job_item_id",
                table: "pending_vendor_answers",
                column: "job_item_id");

            migrationBuilder.CreateIndex(
                name: "ix_pending_vendor_answers_provider_vendor_key",
                table: "pending_vendor_answers",
                columns: new[] { "provider", "vendor_key" });

            migrationBuilder.CreateIndex(
                name: "ix_pending_vendor_answers_state_wait_until",
                table: "pending_vendor_answers",
                columns: new[] { "state", "wait_until" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "pending_vendor_answers");
        }
    }
}
