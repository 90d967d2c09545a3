using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Tributary.Core.Providers.Verification;

/// <summary>
/// The email verification pipeline of DESIGN §5.2: syntax, disposable domains, role accounts, MX lookup, then an
/// optional SMTP RCPT probe with greylisting retries and catch-all detection.
/// </summary>
/// <remarks>
/// One instance is meant to live for the process (register it as a singleton): it holds the DNS client and a bounded
/// per-domain cache of MX and catch-all answers, so verifying many addresses of one domain looks its mail servers up
/// and tests them for catch-all once every <see cref="CacheLifetime"/>. Network steps are bounded by
/// <see cref="VerificationOptions.TimeoutMs"/> in wall-clock time; the greylisting delay and cache ages follow the
/// given <see cref="TimeProvider"/>.
/// </remarks>
public sealed partial class EmailVerifier : IEmailVerifier
{
    internal static readonly TimeSpan CacheLifetime = TimeSpan.FromMinutes(5);
    internal const int CacheCapacity = 1024;

    // More addresses than this across a domain's MX hosts would let one slow domain hold a verification for minutes.
    private const int MaxConnectAttempts = 3;

    private readonly MailDns _dns;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly bool _checkMx;
    private readonly bool _smtpProbe;
    private readonly int _smtpPort;
    private readonly TimeSpan _timeout;
    private readonly int _greylistRetries;
    private readonly TimeSpan _greylistDelay;
    private readonly string _heloName;
    private readonly string _probeFrom;
    private readonly DomainCache<MailRoute> _routes;
    private readonly DomainCache<bool> _catchAll;

    /// <summary>
    /// Takes a snapshot of <paramref name="options"/>; later changes to that object are not seen.
    /// </summary>
    /// <param name="options">The <c>Tributary:Verification</c> settings.</param>
    /// <param name="time">The clock behind the greylisting delay and cache expiry; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="logger">Receives debug notes on DNS and SMTP failures, naming domains, never full addresses.</param>
    /// <exception cref="ArgumentException">The options do not <see cref="VerificationOptions.Validate">validate</see>.</exception>
    public EmailVerifier(VerificationOptions options, TimeProvider? time = null, ILogger<EmailVerifier>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate().ToList();
        if (errors.Count > 0) throw new ArgumentException(string.Join("; ", errors), nameof(options));

        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _checkMx = options.CheckMx;
        _smtpProbe = options.SmtpProbe;
        _smtpPort = options.SmtpPort;
        _timeout = TimeSpan.FromMilliseconds(options.TimeoutMs);
        _greylistRetries = options.GreylistRetries;
        _greylistDelay = TimeSpan.FromMilliseconds(options.GreylistDelayMs);
        _heloName = options.HeloName;
        _probeFrom = options.ProbeFrom;
        _dns = new MailDns(options.DnsEndPoints(), _timeout);
        _routes = new DomainCache<MailRoute>(CacheCapacity, CacheLifetime, _time);
        _catchAll = new DomainCache<bool>(CacheCapacity, CacheLifetime, _time);
    }

    public async Task<EmailVerification> VerifyAsync(string email, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(email);
        if (!EmailSyntax.TryParse(email, out var address))
            return new EmailVerification(email.Trim(), EmailStatus.Invalid, VerificationReasons.Syntax);
        if (DomainLists.IsDisposable(address.Domain))
            return new EmailVerification(address.Value, EmailStatus.Invalid, VerificationReasons.Disposable);

        var (status, reason) = await DeliverabilityAsync(address, ct);
        // A role mailbox that exists is still no person to write to; one that does not exist is simply invalid.
        if (status != EmailStatus.Invalid && DomainLists.IsRole(address.Local))
            (status, reason) = (EmailStatus.Risky, VerificationReasons.Role);
        return new EmailVerification(address.Value, status, reason);
    }

    private async Task<(EmailStatus, string)> DeliverabilityAsync(MailAddress address, CancellationToken ct)
    {
        if (!_checkMx) return (EmailStatus.Unknown, VerificationReasons.NotChecked);

        var route = await RouteAsync(address.Domain, ct);
        switch (route.Kind)
        {
            case MailRouteKind.Error:
                return (EmailStatus.Unknown, VerificationReasons.DnsError);
            case MailRouteKind.NoMail:
                return (EmailStatus.Invalid, VerificationReasons.NoMx);
        }
        if (!_smtpProbe) return (EmailStatus.Unknown, VerificationReasons.NoProbe);
        if (_catchAll.TryGet(address.Domain, out var catchAll) && catchAll)
            return (EmailStatus.CatchAll, VerificationReasons.CatchAll);

        for (var attempt = 0; ; attempt++)
        {
            var outcome = await ProbeAsync(address, route.Hosts, ct);
            if (outcome != ProbeOutcome.Deferred) return Verdict(outcome);
            if (attempt >= _greylistRetries)
            {
                LogGreylisted(_logger, address.Domain, attempt + 1);
                return (EmailStatus.Unknown, VerificationReasons.Greylisted);
            }
            await Task.Delay(_greylistDelay, _time, ct);
        }
    }

    private async Task<MailRoute> RouteAsync(string domain, CancellationToken ct)
    {
        if (_routes.TryGet(domain, out var cached)) return cached;
        var route = await _dns.LookupMxAsync(domain, ct);
        if (route.Kind == MailRouteKind.Error)
            LogDnsFailure(_logger, domain);
        else
            _routes.Set(domain, route);
        return route;
    }

    private static (EmailStatus, string) Verdict(ProbeOutcome outcome) => outcome switch
    {
        ProbeOutcome.Accepted => (EmailStatus.Valid, VerificationReasons.SmtpAccepted),
        ProbeOutcome.CatchAll => (EmailStatus.CatchAll, VerificationReasons.CatchAll),
        ProbeOutcome.NotFound => (EmailStatus.Invalid, VerificationReasons.MailboxNotFound),
        ProbeOutcome.Full => (EmailStatus.Risky, VerificationReasons.MailboxFull),
        ProbeOutcome.Rejected => (EmailStatus.Unknown, VerificationReasons.SmtpRejected),
        ProbeOutcome.NoMailHost => (EmailStatus.Invalid, VerificationReasons.NoMx),
        ProbeOutcome.DnsError => (EmailStatus.Unknown, VerificationReasons.DnsError),
        _ => (EmailStatus.Unknown, VerificationReasons.SmtpUnreachable),
    };

    /// <summary>One SMTP session: connect to the first reachable mail host and ask about the recipient.</summary>
    private async Task<ProbeOutcome> ProbeAsync(MailAddress address, IReadOnlyList<string> hosts, CancellationToken ct)
    {
        var (connection, failure) = await ConnectAsync(address.Domain, hosts, ct);
        if (connection is null) return failure;
        await using (connection)
        {
            try
            {
                var outcome = await DialogueAsync(connection, address, ct);
                await QuitAsync(connection, ct);
                return outcome;
            }
            catch (Exception e) when (e is TimeoutException or IOException or SocketException)
            {
                LogSmtpFailure(_logger, address.Domain, e.Message);
                return ProbeOutcome.Unreachable;
            }
        }
    }

    /// <summary>
    /// Greets, asks about the recipient and, when it is accepted and the domain is not known yet, asks about a made-up
    /// recipient of the same domain in the same session to tell a real mailbox from a catch-all.
    /// </summary>
    private async Task<ProbeOutcome> DialogueAsync(SmtpConnection connection, MailAddress address, CancellationToken ct)
    {
        if (!await HelloAsync(connection, ct)) return ProbeOutcome.Rejected;

        var mailbox = await AskAsync(connection, address.Value, ct);
        if (mailbox != ProbeOutcome.Accepted) return mailbox;
        if (_catchAll.TryGet(address.Domain, out var known))
            return known ? ProbeOutcome.CatchAll : ProbeOutcome.Accepted;

        await connection.CommandAsync("RSET", ct);
        var decoy = $"{RandomNumberGenerator.GetHexString(24, lowercase: true)}@{address.Domain}";
        switch (await AskAsync(connection, decoy, ct))
        {
            case ProbeOutcome.Accepted:
                _catchAll.Set(address.Domain, true);
                return ProbeOutcome.CatchAll;
            case ProbeOutcome.NotFound:
                _catchAll.Set(address.Domain, false);
                return ProbeOutcome.Accepted;
            default:
                // Inconclusive (deferred, refused by policy): the mailbox itself was accepted; remember nothing.
                return ProbeOutcome.Accepted;
        }
    }

    private async Task<(SmtpConnection? Connection, ProbeOutcome Failure)> ConnectAsync(string domain, IReadOnlyList<string> hosts, CancellationToken ct)
    {
        var attempts = 0;
        var resolved = false;
        var dnsFailed = false;
        foreach (var host in hosts)
        {
            var (lookup, addresses) = await _dns.LookupAddressesAsync(host, ct);
            if (lookup == AddressLookup.Error) dnsFailed = true;
            resolved |= lookup == AddressLookup.Found;
            foreach (var ip in addresses)
            {
                if (attempts++ == MaxConnectAttempts) return (null, ProbeOutcome.Unreachable);
                var connection = await OpenAsync(domain, new IPEndPoint(ip, _smtpPort), ct);
                if (connection is not null) return (connection, ProbeOutcome.Unreachable);
            }
        }
        if (resolved) return (null, ProbeOutcome.Unreachable);
        return (null, dnsFailed ? ProbeOutcome.DnsError : ProbeOutcome.NoMailHost);
    }

    /// <summary>A connection that has greeted with 220, or null when this address cannot be used.</summary>
    private async Task<SmtpConnection?> OpenAsync(string domain, IPEndPoint endPoint, CancellationToken ct)
    {
        SmtpConnection? connection = null;
        try
        {
            connection = await SmtpConnection.ConnectAsync(endPoint, _timeout, ct);
            var greeting = await connection.ReadReplyAsync(ct);
            if (greeting.Code == 220) return connection;
            LogSmtpFailure(_logger, domain, $"{endPoint} greeted with {greeting.Code}");
        }
        catch (Exception e) when (e is TimeoutException or IOException or SocketException)
        {
            LogSmtpFailure(_logger, domain, $"{endPoint}: {e.Message}");
        }
        if (connection is not null) await connection.DisposeAsync();
        return null;
    }

    private async Task<bool> HelloAsync(SmtpConnection connection, CancellationToken ct)
    {
        var ehlo = await connection.CommandAsync($"EHLO {_heloName}", ct);
        if (ehlo.IsPositive) return true;
        var helo = await connection.CommandAsync($"HELO {_heloName}", ct);
        return helo.IsPositive;
    }

    /// <summary>MAIL FROM and RCPT TO for one recipient, classified.</summary>
    private async Task<ProbeOutcome> AskAsync(SmtpConnection connection, string recipient, CancellationToken ct)
    {
        var from = await connection.CommandAsync($"MAIL FROM:<{_probeFrom}>", ct);
        if (from.IsTransient) return ProbeOutcome.Deferred;
        if (!from.IsPositive) return ProbeOutcome.Rejected;

        var rcpt = await connection.CommandAsync($"RCPT TO:<{recipient}>", ct);
        if (rcpt.Code is 250 or 251) return ProbeOutcome.Accepted;
        if (rcpt.IsTransient) return ProbeOutcome.Deferred;
        var enhanced = rcpt.EnhancedStatus;
        if (rcpt.Code == 552 || enhanced == "5.2.2") return ProbeOutcome.Full;
        // 5.7.x is about the sender (policy, reputation), so it says nothing about the mailbox.
        if (enhanced?.StartsWith("5.7.", StringComparison.Ordinal) == true) return ProbeOutcome.Rejected;
        return rcpt.Code is 550 or 551 or 553 ? ProbeOutcome.NotFound : ProbeOutcome.Rejected;
    }

    private static async Task QuitAsync(SmtpConnection connection, CancellationToken ct)
    {
        try
        {
            await connection.CommandAsync("QUIT", ct);
        }
        catch (Exception e) when (e is TimeoutException or IOException or SocketException)
        {
            // The answer is already known; a server that hangs up without a 221 changes nothing.
        }
    }

    private enum ProbeOutcome
    {
        Accepted,
        CatchAll,
        NotFound,
        Full,
        Deferred,
        Rejected,
        Unreachable,
        NoMailHost,
        DnsError,
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Email verification: DNS lookup for {Domain} failed or timed out")]
    private static partial void LogDnsFailure(ILogger logger, string domain);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Email verification: SMTP probe for {Domain} failed: {Detail}")]
    private static partial void LogSmtpFailure(ILogger logger, string domain, string detail);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Email verification: {Domain} still deferred the recipient after {Attempts} attempts")]
    private static partial void LogGreylisted(ILogger logger, string domain, int attempts);
}
