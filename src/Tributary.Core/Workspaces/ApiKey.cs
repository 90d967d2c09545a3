namespace Tributary.Core.Workspaces;

public sealed class ApiKey
{
    public Guid Id { get; set; }
    public Guid WorkspaceId { get; set; }
    public required string Name { get; set; }
    /// <summary>Lower-case hex SHA-256 of the secret; the secret itself is never stored.</summary>
    public required string SecretHash { get; set; }
    /// <summary>Space-separated permission names as granted.</summary>
    public required string Permissions { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? ExpiresAt { get; set; }
    public DateTime? RevokedAt { get; set; }
    /// <summary>When the key last opened a request, to within a minute (written at most once a minute per process).</summary>
    public DateTime? LastUsedAt { get; set; }

    public IReadOnlyList<string> PermissionList =>
        Permissions.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    public bool IsUsableAt(DateTime now) => RevokedAt is null && (ExpiresAt is null || ExpiresAt > now);
}
