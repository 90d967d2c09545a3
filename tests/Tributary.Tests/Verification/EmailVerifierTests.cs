using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Tributary.Core.Providers.Verification;

namespace Tributary.Tests.Verification;

public sealed class EmailVerifierTests(MailWorld world) : IClassFixture<MailWorld>
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Accepted_mailbox_on_a_server_that_refuses_made_up_recipients_is_valid()
    {
        var result = await world.Verifier().VerifyAsync("jane@good.test", None);

        result.ShouldBe(new EmailVerification("jane@good.test", EmailStatus.Valid, VerificationReasons.SmtpAccepted));
        var session = world.Smtp.SessionsAsking("jane@good.test").ShouldHaveSingleItem();
        session[0].ShouldBe("EHLO tributary.local");
        session.ShouldContain("MAIL FROM:<verify@tributary.local>");
        var rset = session.ToList().IndexOf("RSET");
        rset.ShouldBeGreaterThan(session.ToList().IndexOf(FakeSmtpServer.RcptTo("jane@good.test")));
        var decoy = session.Skip(rset).Single(c => c.StartsWith("RCPT TO:", StringComparison.Ordinal));
        decoy.ShouldEndWith("@good.test>");
        decoy.ShouldNotContain("jane");
        session[^1].ShouldBe("QUIT");
    }

    [Fact]
    public async Task Unknown_mailbox_is_invalid()
    {
        var result = await world.Verifier().VerifyAsync("ghost@good.test", None);

        result.Status.ShouldBe(EmailStatus.Invalid);
        result.Reason.ShouldBe(VerificationReasons.MailboxNotFound);
        world.Smtp.TimesAsked("ghost@good.test").ShouldBe(1);
    }

    [Fact]
    public async Task Full_mailbox_is_risky()
    {
        var result = await world.Verifier().VerifyAsync("full@good.test", None);

        (result.Status, result.Reason).ShouldBe((EmailStatus.Risky, VerificationReasons.MailboxFull));
    }

    [Fact]
    public async Task Greylisted_recipient_is_asked_again_after_the_delay_and_then_valid()
    {
        var time = new RecordingTime();

        var result = await world.Verifier(o => o.GreylistDelayMs = 7, time).VerifyAsync("grey@good.test", None);

        (result.Status, result.Reason).ShouldBe((EmailStatus.Valid, VerificationReasons.SmtpAccepted));
        world.Smtp.TimesAsked("grey@good.test").ShouldBe(2);
        world.Smtp.SessionsAsking("grey@good.test").Count.ShouldBe(2);
        time.Timers.ShouldContain(TimeSpan.FromMilliseconds(7));
    }

    [Fact]
    public async Task Recipient_still_greylisted_after_every_retry_is_unknown()
    {
        var time = new RecordingTime();

        var result = await world.Verifier(o => o.GreylistRetries = 3, time).VerifyAsync("stuck@good.test", None);

        (result.Status, result.Reason).ShouldBe((EmailStatus.Unknown, VerificationReasons.Greylisted));
        world.Smtp.TimesAsked("stuck@good.test").ShouldBe(4);
        time.Timers.Count(t => t == TimeSpan.FromMilliseconds(5)).ShouldBe(3);
    }

    [Fact]
    public async Task Server_that_accepts_any_recipient_is_catch_all()
    {
        var result = await world.Verifier().VerifyAsync("anyone@catchall.test", None);

        (result.Status, result.Reason).ShouldBe((EmailStatus.CatchAll, VerificationReasons.CatchAll));
        var asked = world.Smtp.RecipientsAt("catchall.test");
        asked.Count.ShouldBe(2);
        asked[0].ShouldBe("anyone@catchall.test");
    }

    [Fact]
    public async Task A_catch_all_domain_is_probed_once_for_many_addresses()
    {
        var verifier = world.Verifier();

        foreach (var name in new[] { "a", "b", "c" })
        {
            var result = await verifier.VerifyAsync($"{name}@bulk-catchall.test", None);
            (result.Status, result.Reason).ShouldBe((EmailStatus.CatchAll, VerificationReasons.CatchAll));
        }

        world.Smtp.RecipientsAt("bulk-catchall.test").Count.ShouldBe(2);
        world.Dns.QueriesFor("bulk-catchall.test", FakeDnsServer.TypeMx).ShouldBe(1);
    }

    [Fact]
    public async Task A_domain_known_not_to_be_catch_all_is_not_asked_about_a_made_up_recipient_again()
    {
        var verifier = world.Verifier();

        (await verifier.VerifyAsync("ann@steady.test", None)).Status.ShouldBe(EmailStatus.Valid);
        (await verifier.VerifyAsync("bob@steady.test", None)).Status.ShouldBe(EmailStatus.Valid);

        var asked = world.Smtp.RecipientsAt("steady.test");
        asked.Count.ShouldBe(3);
        asked.Where(a => a is not ("ann@steady.test" or "bob@steady.test")).ShouldHaveSingleItem();
    }

    [Fact]
    public async Task Domain_answers_expire_from_the_cache()
    {
        var time = new ManualTime();
        var verifier = world.Verifier(o => o.SmtpProbe = false, time);

        await verifier.VerifyAsync("one@expiry.test", None);
        await verifier.VerifyAsync("two@expiry.test", None);
        world.Dns.QueriesFor("expiry.test", FakeDnsServer.TypeMx).ShouldBe(1);

        time.Advance(EmailVerifier.CacheLifetime + TimeSpan.FromSeconds(1));
        var result = await verifier.VerifyAsync("three@expiry.test", None);

        result.Reason.ShouldBe(VerificationReasons.NoProbe);
        world.Dns.QueriesFor("expiry.test", FakeDnsServer.TypeMx).ShouldBe(2);
    }

    [Fact]
    public async Task Without_the_probe_a_domain_with_mail_servers_is_unknown_not_valid()
    {
        var result = await world.Verifier(o => o.SmtpProbe = false).VerifyAsync("unprobed@good.test", None);

        result.ShouldBe(new EmailVerification("unprobed@good.test", EmailStatus.Unknown, VerificationReasons.NoProbe));
        world.Smtp.TimesAsked("unprobed@good.test").ShouldBe(0);
    }

    [Theory]
    [InlineData("someone@nomx.test")]
    [InlineData("someone@nowhere.test")]
    [InlineData("someone@nullmx.test")]
    [InlineData("someone@lame.test")]
    public async Task Domain_without_anywhere_to_deliver_is_invalid(string email)
    {
        var result = await world.Verifier().VerifyAsync(email, None);

        (result.Status, result.Reason).ShouldBe((EmailStatus.Invalid, VerificationReasons.NoMx));
    }

    [Fact]
    public async Task Domain_without_mx_but_with_an_address_receives_mail_there()
    {
        var result = await world.Verifier().VerifyAsync("owner@bare.test", None);

        (result.Status, result.Reason).ShouldBe((EmailStatus.Valid, VerificationReasons.SmtpAccepted));
        world.Dns.QueriesFor("bare.test", FakeDnsServer.TypeA).ShouldBeGreaterThan(0);
        world.Smtp.TimesAsked("owner@bare.test").ShouldBe(1);
    }

    [Theory]
    [InlineData("someone@servfail.test")]
    [InlineData("someone@brokenhost.test")]
    public async Task Dns_server_failure_is_unknown(string email)
    {
        var result = await world.Verifier().VerifyAsync(email, None);

        (result.Status, result.Reason).ShouldBe((EmailStatus.Unknown, VerificationReasons.DnsError));
    }

    [Fact]
    public async Task Dns_server_that_never_answers_is_unknown_within_the_timeout()
    {
        var clock = Stopwatch.StartNew();

        var result = await world.Verifier(o => o.TimeoutMs = 300).VerifyAsync("someone@silent.test", None);

        (result.Status, result.Reason).ShouldBe((EmailStatus.Unknown, VerificationReasons.DnsError));
        world.Dns.QueriesFor("silent.test").ShouldBeGreaterThan(0);
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task Dns_failures_are_not_cached()
    {
        var verifier = world.Verifier(o => o.SmtpProbe = false);

        await verifier.VerifyAsync("a@servfail.test", None);
        await verifier.VerifyAsync("b@servfail.test", None);

        world.Dns.QueriesFor("servfail.test", FakeDnsServer.TypeMx).ShouldBeGreaterThanOrEqualTo(2);
    }

    [Fact]
    public async Task Closed_smtp_port_is_unreachable()
    {
        var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();

        var result = await world.Verifier(o => o.SmtpPort = port).VerifyAsync("jane@good.test", None);

        (result.Status, result.Reason).ShouldBe((EmailStatus.Unknown, VerificationReasons.SmtpUnreachable));
    }

    [Fact]
    public async Task Smtp_server_that_never_greets_is_unreachable_within_the_timeout()
    {
        using var silent = new FakeSmtpServer(FakeSmtpBehaviour.Silent);
        var clock = Stopwatch.StartNew();

        var result = await world.Verifier(o => { o.SmtpPort = silent.Port; o.TimeoutMs = 300; })
            .VerifyAsync("jane@good.test", None);

        (result.Status, result.Reason).ShouldBe((EmailStatus.Unknown, VerificationReasons.SmtpUnreachable));
        silent.Sessions.Count.ShouldBe(1);
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task Server_without_ehlo_is_greeted_with_helo()
    {
        using var old = new FakeSmtpServer(FakeSmtpBehaviour.RejectEhlo).Recipient("jane@good.test", FakeSmtpServer.Accept);

        var result = await world.Verifier(o => o.SmtpPort = old.Port).VerifyAsync("jane@good.test", None);

        (result.Status, result.Reason).ShouldBe((EmailStatus.Valid, VerificationReasons.SmtpAccepted));
        old.Sessions.ShouldHaveSingleItem().Take(2).ShouldBe(["EHLO tributary.local", "HELO tributary.local"]);
    }

    [Fact]
    public async Task Refusal_by_sender_policy_says_nothing_about_the_mailbox()
    {
        var result = await world.Verifier().VerifyAsync("blocked@good.test", None);

        (result.Status, result.Reason).ShouldBe((EmailStatus.Unknown, VerificationReasons.SmtpRejected));
    }

    [Theory]
    [InlineData("info@good.test")]
    [InlineData("Support+EMEA@good.test")]
    public async Task Role_account_is_risky(string email)
    {
        var result = await world.Verifier().VerifyAsync(email, None);

        (result.Status, result.Reason).ShouldBe((EmailStatus.Risky, VerificationReasons.Role));
    }

    [Fact]
    public async Task Role_account_the_server_does_not_know_is_invalid()
    {
        var result = await world.Verifier().VerifyAsync("noreply@good.test", None);

        (result.Status, result.Reason).ShouldBe((EmailStatus.Invalid, VerificationReasons.MailboxNotFound));
        world.Smtp.TimesAsked("noreply@good.test").ShouldBe(1);
    }

    [Theory]
    [InlineData("someone@mailinator.com")]
    [InlineData("someone@eu.mailinator.com")]
    [InlineData("Someone@YOPMAIL.COM")]
    [InlineData("someone@guerrillamail.com")]
    public async Task Disposable_domain_is_invalid_without_asking_dns(string email)
    {
        var result = await world.Verifier().VerifyAsync(email, None);

        (result.Status, result.Reason).ShouldBe((EmailStatus.Invalid, VerificationReasons.Disposable));
        world.Dns.QueriesFor(email[(email.IndexOf('@') + 1)..]).ShouldBe(0);
    }

    [Fact]
    public async Task Without_mx_checks_nothing_goes_on_the_network_and_the_address_is_unknown()
    {
        var verifier = world.Verifier(o => { o.CheckMx = false; o.SmtpProbe = false; });

        var result = await verifier.VerifyAsync("Pat@Unchecked.TEST", None);

        result.ShouldBe(new EmailVerification("Pat@unchecked.test", EmailStatus.Unknown, VerificationReasons.NotChecked));
        world.Dns.QueriesFor("unchecked.test").ShouldBe(0);
        (await verifier.VerifyAsync("pat@mailinator.com", None)).Status.ShouldBe(EmailStatus.Invalid);
        (await verifier.VerifyAsync("pat@@unchecked.test", None)).Reason.ShouldBe(VerificationReasons.Syntax);
        (await verifier.VerifyAsync("sales@unchecked.test", None)).Reason.ShouldBe(VerificationReasons.Role);
    }

    [Fact]
    public async Task Cancellation_by_the_caller_is_not_turned_into_a_status()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        var error = await Record.ExceptionAsync(() => world.Verifier(o => o.TimeoutMs = 10_000).VerifyAsync("x@silent.test", cts.Token));

        error.ShouldBeAssignableTo<OperationCanceledException>();
    }
}
