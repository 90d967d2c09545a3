namespace Tributary.Core.Erasure;

/// <summary>
/// A hashed identity key of an erased person (DESIGN §4): while it holds, no settlement stores anything under that key.
/// It lasts 24 hours, or for good (<see cref="ExpiresAt"/> null) while the key is on the suppression list.
/// </summary>
public sealed class Tombstone
{
    public Guid WorkspaceId { get; set; }
    public required string KeyHash { get; set; }
    public DateTime? ExpiresAt { get; set; }
}

/// <summary>An identity key on the workspace's suppression list: never enriched, stored or created again while listed.</summary>
public sealed class Suppression
{
    public long Seq { get; set; }
    public Guid Id { get; set; }
    public Guid WorkspaceId { get; set; }
    /// <summary>The kind of identity key: email, linkedin, x, github or name.</summary>
    public required string Kind { get; set; }
    public required string KeyHash { get; set; }
    public Guid? CreatedByKeyId { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>One line of the erasure log: which contact went (null when the person was no stored contact), by which API key, when.</summary>
public sealed class ErasureLogEntry
{
    public long Seq { get; set; }
    public Guid Id { get; set; }
    public Guid WorkspaceId { get; set; }
    /// <summary>All the lines of one erasure share it.</summary>
    public Guid ErasureId { get; set; }
    public Guid? ContactId { get; set; }
    public Guid? KeyId { get; set; }
    public bool Suppressed { get; set; }
    public DateTime ErasedAt { get; set; }
}
