using System.Text.Json;

namespace Tributary.Cli.Api;

internal sealed record CreateWorkspaceRequest(string Name);

internal sealed record CreatedWorkspace(string? Id, string? Name);

internal sealed record CreateApiKeyRequest(string Name, IReadOnlyList<string> Permissions, DateTimeOffset? ExpiresAt);

internal sealed record CreatedApiKey(
    string? Id,
    string? Key,
    string? Name,
    IReadOnlyList<string>? Permissions,
    JsonElement? ExpiresAt);

internal sealed record GrantCreditsRequest(long Amount, string? Reason);

internal sealed record CreditBalance(JsonElement? Balance, JsonElement? Reserved);

internal sealed record ImportSummary(long Created, long Updated, long Skipped, IReadOnlyList<ImportRowError>? Errors);

internal sealed record ImportRowError(long RowNumber, string? Code, string? Message);

/// <summary>A native enrichment job as <c>POST /v1/jobs</c> and <c>GET /v1/jobs/{id}</c> report it.</summary>
internal sealed record EnrichmentJob(
    Guid Id,
    string? Status,
    long Total,
    long Processed,
    long Found,
    long NotFound,
    long Failed,
    double Progress,
    IReadOnlyDictionary<string, long>? FoundByChannel,
    long CreditsCharged,
    long CreditsReserved,
    double? RatePerSecond,
    double? EtaSeconds,
    string? Error = null);

/// <summary>Which input column holds a field, sent as <c>map=field=Column</c>.</summary>
internal sealed record ColumnMapping(string Field, string Column);

internal static class EnrichmentJobStatus
{
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    public static bool IsFinal(string? status) => status is Succeeded or Failed or Cancelled;
}
