using Tributary.Core.Providers.Verification;

namespace Tributary.Tests.Verification;

/// <summary>
/// A scripted DNS zone and SMTP server on loopback, shared by the tests of one class. Tests use addresses of their
/// own so that what the fakes recorded can be attributed.
/// </summary>
public sealed class MailWorld : IDisposable
{
    public FakeDnsServer Dns { get; } = new();
    public FakeSmtpServer Smtp { get; } = new();

    public MailWorld()
    {
        Dns.A("mx.good.test", "127.0.0.1");
        foreach (var domain in new[] { "good.test", "steady.test", "expiry.test", "catchall.test", "bulk-catchall.test" })
            Dns.Mx(domain, (10, "mx.good.test"));
        Dns.A("bare.test", "127.0.0.1");
        Dns.Exists("nomx.test");
        Dns.Mx("nullmx.test", (0, "."));
        Dns.Mx("lame.test", (10, "mx.nowhere.test"));
        Dns.Mx("brokenhost.test", (10, "mx.servfail.test"));
        Dns.ServFail("servfail.test").ServFail("mx.servfail.test");
        Dns.Silent("silent.test");

        Smtp.AcceptAll("catchall.test").AcceptAll("bulk-catchall.test");
        Smtp.Recipient("jane@good.test", FakeSmtpServer.Accept)
            .Recipient("info@good.test", FakeSmtpServer.Accept)
            .Recipient("Support+EMEA@good.test", FakeSmtpServer.Accept)
            .Recipient("full@good.test", FakeSmtpServer.MailboxFull)
            .Recipient("grey@good.test", FakeSmtpServer.Greylisted, FakeSmtpServer.Accept)
            .Recipient("stuck@good.test", FakeSmtpServer.Greylisted)
            .Recipient("blocked@good.test", FakeSmtpServer.PolicyBlock)
            .Recipient("owner@bare.test", FakeSmtpServer.Accept)
            .Recipient("ann@steady.test", FakeSmtpServer.Accept)
            .Recipient("bob@steady.test", FakeSmtpServer.Accept);
    }

    public VerificationOptions Options(Action<VerificationOptions>? configure = null)
    {
        var options = new VerificationOptions
        {
            CheckMx = true,
            SmtpProbe = true,
            DnsServers = [Dns.Endpoint],
            SmtpPort = Smtp.Port,
            TimeoutMs = 2000,
            GreylistRetries = 2,
            GreylistDelayMs = 5,
        };
        configure?.Invoke(options);
        return options;
    }

    public EmailVerifier Verifier(Action<VerificationOptions>? configure = null, TimeProvider? time = null) =>
        new(Options(configure), time);

    public void Dispose()
    {
        Smtp.Dispose();
        Dns.Dispose();
    }
}

/// <summary>The system clock, with every timer it creates recorded (Task.Delay on a TimeProvider creates one).</summary>
public sealed class RecordingTime : TimeProvider
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<TimeSpan> _timers = new();

    public IReadOnlyList<TimeSpan> Timers => [.. _timers];

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        _timers.Enqueue(dueTime);
        return System.CreateTimer(callback, state, dueTime, period);
    }
}

/// <summary>A clock that only moves when told to; timers still run on the system clock.</summary>
public sealed class ManualTime : TimeProvider
{
    private DateTimeOffset _now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
