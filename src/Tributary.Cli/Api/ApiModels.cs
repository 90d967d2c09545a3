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
