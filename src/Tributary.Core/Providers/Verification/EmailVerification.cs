namespace Tributary.Core.Providers.Verification;

/// <summary>The verdict on one address (DESIGN §5.2), one set for the built-in checker, finders' own verdicts and verifiers.</summary>
public enum EmailStatus
{
    Valid,
    Invalid,
    /// <summary>Role account, full inbox, spam trap, abuse.</summary>
    Risky,
    /// <summary>No probe, DNS failure, port 25 blocked, greylisted past retries: nothing could check it.</summary>
    Unknown,
    /// <summary>Accept-all domain with positive evidence for this address.</summary>
    Probable,
    /// <summary>Accept-all domain, the address unconfirmed.</summary>
    CatchAll,
}

public static class EmailStatuses
{
    /// <summary>The status as the native API, the provider protocol and stored results spell it.</summary>
    public static string Name(EmailStatus status) => status switch
    {
        EmailStatus.Valid => "valid",
        EmailStatus.Invalid => "invalid",
        EmailStatus.Risky => "risky",
        EmailStatus.Probable => "probable",
        EmailStatus.CatchAll => "catch_all",
        _ => "unknown",
    };

    /// <summary>Reads a stored or protocol spelling (<c>catch_all</c>, <c>valid</c>, …); null when it is none of them.</summary>
    public static EmailStatus? Parse(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        "valid" => EmailStatus.Valid,
        "invalid" => EmailStatus.Invalid,
        "risky" => EmailStatus.Risky,
        "unknown" => EmailStatus.Unknown,
        "probable" => EmailStatus.Probable,
        "catch_all" or "catchall" or "catch-all" => EmailStatus.CatchAll,
        _ => null,
    };

    /// <summary>Which of two candidates is delivered: valid &gt; probable &gt; unknown &gt; catch_all &gt; risky (invalid never).</summary>
    public static int Rank(EmailStatus status) => status switch
    {
        EmailStatus.Valid => 5,
        EmailStatus.Probable => 4,
        EmailStatus.Unknown => 3,
        EmailStatus.CatchAll => 2,
        EmailStatus.Risky => 1,
        _ => 0,
    };

    /// <summary>Confidence for a vendor email that came without a number (VENDORS.md).</summary>
    public static double DefaultConfidence(EmailStatus status) => status switch
    {
        EmailStatus.Valid => 0.95,
        EmailStatus.Probable => 0.85,
        EmailStatus.CatchAll => 0.7,
        EmailStatus.Risky => 0.5,
        EmailStatus.Invalid => 0,
        _ => 0.6,
    };

    /// <summary>Statuses that, under <c>Verification:CatchAll = continue</c>, keep the waterfall asking for a better email.</summary>
    public static bool KeepsLooking(EmailStatus status) => status is EmailStatus.CatchAll or EmailStatus.Risky;
}

/// <summary>
/// The outcome of verifying one address: the address as normalised (domain lower-cased), its status, and the
/// <see cref="VerificationReasons">reason</see> that decided it. The display properties follow DESIGN §5.2.
/// </summary>
public sealed record EmailVerification(string Email, EmailStatus Status, string Reason)
{
    /// <summary><c>true</c> for valid, <c>false</c> for invalid, <c>null</c> when risky or unknown.</summary>
    public bool? Verified => Status switch
    {
        EmailStatus.Valid => true,
        EmailStatus.Invalid => false,
        _ => null,
    };

    /// <summary>Seed 003's <c>email_status</c>.</summary>
    public string DeliverabilityLabel => DeliverabilityLabelOf(Status);

    public static string DeliverabilityLabelOf(EmailStatus status) => status switch
    {
        EmailStatus.Valid => "deliverable",
        EmailStatus.Invalid => "undeliverable",
        EmailStatus.Probable or EmailStatus.CatchAll => "catch-all",
        _ => "N/A",
    };

    /// <summary>The status as the native API and stored results spell it.</summary>
    public string StatusName => EmailStatuses.Name(Status);
}

/// <summary>Why an address got its status.</summary>
public static class VerificationReasons
{
    /// <summary>Invalid: not an address under Tributary's RFC 5322 subset.</summary>
    public const string Syntax = "syntax";

    /// <summary>Invalid: the domain is a disposable-mail service.</summary>
    public const string Disposable = "disposable";

    /// <summary>Risky: the local part names a function (info@, sales@ …), not a person.</summary>
    public const string Role = "role";

    /// <summary>Invalid: the domain has no MX record and no address record, or publishes a null MX.</summary>
    public const string NoMx = "no_mx";

    /// <summary>Unknown: DNS failed or timed out.</summary>
    public const string DnsError = "dns_error";

    /// <summary>Unknown: MX checks are turned off.</summary>
    public const string NotChecked = "not_checked";

    /// <summary>Unknown: the domain receives mail, but the SMTP probe is turned off.</summary>
    public const string NoProbe = "no_probe";

    /// <summary>Valid: the mail server accepted the recipient and rejects made-up ones.</summary>
    public const string SmtpAccepted = "smtp_accepted";

    /// <summary>Risky: the mail server accepts any recipient at the domain.</summary>
    public const string CatchAll = "catch_all";

    /// <summary>Invalid: the mail server said the mailbox does not exist.</summary>
    public const string MailboxNotFound = "mailbox_not_found";

    /// <summary>Risky: the mailbox exists but is over quota.</summary>
    public const string MailboxFull = "mailbox_full";

    /// <summary>Unknown: the mail server still deferred the recipient after every retry.</summary>
    public const string Greylisted = "greylisted";

    /// <summary>Unknown: no mail server of the domain could be reached or it stopped answering.</summary>
    public const string SmtpUnreachable = "smtp_unreachable";

    /// <summary>Unknown: the mail server refused the probe itself (policy, reputation), not the mailbox.</summary>
    public const string SmtpRejected = "smtp_rejected";
}
