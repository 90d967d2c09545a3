namespace Tributary.Core.Jobs;

/// <summary>
/// Asynchronous or bulk work of one workspace (DESIGN §8): stored with its items and its credit reservation before it
/// is accepted, processed by any server process, ended when every item is processed or when cancelled.
/// </summary>
public sealed class Job
{
    public Guid Id { get; set; }
    public Guid WorkspaceId { get; set; }
    /// <summary>Which surface created it (native, operations, lead_bulk, async_contacts, …); surfaces read their own jobs.</summary>
    public required string Kind { get; set; }
    /// <summary>What the user called it (the console names a job after its file); null when not given.</summary>
    public string? Name { get; set; }
    public string Status { get; set; } = JobStatus.Preparing;
    /// <summary>JSON array of the wanted channels.</summary>
    public required string ChannelsJson { get; set; }
    /// <summary>JSON object of run options (force, discover, signals, phone countries, surface data).</summary>
    public string OptionsJson { get; set; } = "{}";
    public Guid? ReservationId { get; set; }
    public long ReservedCredits { get; set; }
    public int Total { get; set; }
    public int Processed { get; set; }
    /// <summary>Items for which at least one channel was found.</summary>
    public int Succeeded { get; set; }
    public int Failed { get; set; }
    public long Charged { get; set; }
    public Guid? CreatedByKeyId { get; set; }
    public string? Error { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
}

public static class JobStatus
{
    /// <summary>Items are being stored; not yet accepted, invisible to workers.</summary>
    public const string Preparing = "preparing";
    public const string Queued = "queued";
    public const string Processing = "processing";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    public static bool IsFinal(string status) => status is Succeeded or Failed or Cancelled;
}

/// <summary>One record of a job, claimed by a worker under a lease.</summary>
public sealed class JobItem
{
    public long Seq { get; set; }
    public Guid Id { get; set; }
    public Guid JobId { get; set; }
    public Guid WorkspaceId { get; set; }
    /// <summary>Position in the job's input, from 0.</summary>
    public int Position { get; set; }
    /// <summary>JSON object of the known values (input name → value).</summary>
    public required string InputJson { get; set; }
    /// <summary>The input record as the caller sent it (a CSV row's cells, a JSON record), for results that echo it.</summary>
    public string? RawJson { get; set; }
    public string Status { get; set; } = JobItemStatus.Pending;
    public string? ResultJson { get; set; }
    public long Charged { get; set; }
    public Guid? EnrichmentId { get; set; }
    public Guid? ContactId { get; set; }
    public string? Error { get; set; }
    public int Attempts { get; set; }
    public string? LeaseOwner { get; set; }
    public Guid? LeaseToken { get; set; }
    public DateTime? LeaseExpiresAt { get; set; }
    public DateTime? FinishedAt { get; set; }
}

public static class JobItemStatus
{
    public const string Pending = "pending";
    public const string Running = "running";
    /// <summary>Processed: found something or nothing (an item that finds nothing still ends well).</summary>
    public const string Done = "done";
    /// <summary>An error that retrying would not fix (bad input, or repeated failures).</summary>
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";
    /// <summary>The person was erased: input and result are gone, the row stays so that the job's counts hold (DESIGN §4).</summary>
    public const string Erased = "erased";
}
