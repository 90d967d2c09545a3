using Tributary.Core.Providers.Verification;

namespace Tributary.Tests.Verification;

public sealed class EmailSyntaxAndDisplayTests
{
    private static readonly EmailVerifier Offline = new(new VerificationOptions { CheckMx = false });

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("plainaddress")]
    [InlineData("@good.test")]
    [InlineData("jane@")]
    [InlineData("jane@@good.test")]
    [InlineData("ja@ne@good.test")]
    [InlineData("jane..doe@good.test")]
    [InlineData(".jane@good.test")]
    [InlineData("jane.@good.test")]
    [InlineData("jane doe@good.test")]
    [InlineData("\"jane\"@good.test")]
    [InlineData("jane(work)@good.test")]
    [InlineData("jane@localhost")]
    [InlineData("jane@good")]
    [InlineData("jane@good.t")]
    [InlineData("jane@good.123")]
    [InlineData("jane@-good.test")]
    [InlineData("jane@good-.test")]
    [InlineData("jane@good..test")]
    [InlineData("jane@.good.test")]
    [InlineData("jane@good.test.")]
    [InlineData("jane@good_corp.test")]
    [InlineData("jane@[127.0.0.1]")]
    [InlineData("jöns@good.test")]
    [InlineData("jane@göod.test")]
    [InlineData("jane\r\n@good.test")]
    public async Task Malformed_addresses_are_invalid_syntax(string email)
    {
        var result = await Offline.VerifyAsync(email, CancellationToken.None);

        (result.Status, result.Reason).ShouldBe((EmailStatus.Invalid, VerificationReasons.Syntax));
    }

    [Fact]
    public async Task Length_limits_are_64_for_the_local_part_63_per_label_and_254_in_all()
    {
        async Task<string> Reason(string email) => (await Offline.VerifyAsync(email, CancellationToken.None)).Reason;
        var label63 = new string('d', 63);

        (await Reason(new string('a', 64) + "@good.test")).ShouldBe(VerificationReasons.NotChecked);
        (await Reason(new string('a', 65) + "@good.test")).ShouldBe(VerificationReasons.Syntax);
        (await Reason($"jane@{label63}.test")).ShouldBe(VerificationReasons.NotChecked);
        (await Reason($"jane@{label63}d.test")).ShouldBe(VerificationReasons.Syntax);

        var domain = $"{label63}.{label63}.{label63}.{new string('d', 52)}.test";
        var atLimit = "jane@" + domain;
        atLimit.Length.ShouldBe(254);
        (await Reason(atLimit)).ShouldBe(VerificationReasons.NotChecked);
        (await Reason("janet@" + domain)).ShouldBe(VerificationReasons.Syntax);
    }

    [Theory]
    [InlineData("jane@good.test", "jane@good.test")]
    [InlineData("  Jane.Doe@Good.TEST ", "Jane.Doe@good.test")]
    [InlineData("o'brien+newsletters@good.test", "o'brien+newsletters@good.test")]
    [InlineData("x_y-z!#$%&*/=?^`{|}~@mail.good-corp.co.uk", "x_y-z!#$%&*/=?^`{|}~@mail.good-corp.co.uk")]
    [InlineData("jane@xn--bcher-kva.xn--p1ai", "jane@xn--bcher-kva.xn--p1ai")]
    [InlineData("1@2.io", "1@2.io")]
    public async Task Well_formed_addresses_pass_syntax_and_come_back_normalised(string email, string normalised)
    {
        var result = await Offline.VerifyAsync(email, CancellationToken.None);

        result.ShouldBe(new EmailVerification(normalised, EmailStatus.Unknown, VerificationReasons.NotChecked));
    }

    [Theory]
    [InlineData("someone@fakemailinator.com")]
    [InlineData("someone@mailinator.com.good.test")]
    [InlineData("someone@gmail.com")]
    public async Task Look_alikes_of_disposable_domains_are_not_disposable(string email)
    {
        var result = await Offline.VerifyAsync(email, CancellationToken.None);

        result.Reason.ShouldBe(VerificationReasons.NotChecked);
    }

    [Fact]
    public void Shipped_lists_are_loaded_from_the_assembly()
    {
        DomainLists.DisposableCount.ShouldBeGreaterThan(300);
        DomainLists.RoleCount.ShouldBeGreaterThan(50);
        DomainLists.IsRole("Admin").ShouldBeTrue();
        DomainLists.IsRole("adminton").ShouldBeFalse();
    }

    [Theory]
    [InlineData(EmailStatus.Valid, true, "deliverable", "valid")]
    [InlineData(EmailStatus.Invalid, false, "undeliverable", "invalid")]
    [InlineData(EmailStatus.Probable, null, "catch-all", "probable")]
    [InlineData(EmailStatus.CatchAll, null, "catch-all", "catch_all")]
    [InlineData(EmailStatus.Risky, null, "N/A", "risky")]
    [InlineData(EmailStatus.Unknown, null, "N/A", "unknown")]
    public void Statuses_are_shown_as_design_5_2_says(EmailStatus status, bool? verified, string label, string name)
    {
        var result = new EmailVerification("jane@good.test", status, "any");

        result.Verified.ShouldBe(verified);
        result.DeliverabilityLabel.ShouldBe(label);
        result.StatusName.ShouldBe(name);
    }

    [Fact]
    public void Options_default_to_design_12_and_validate()
    {
        var options = new VerificationOptions();

        (options.CheckMx, options.SmtpProbe, options.DnsServers.Count, options.SmtpPort, options.TimeoutMs)
            .ShouldBe((true, false, 0, 25, 3000));
        options.Validate().ShouldBeEmpty();
    }

    [Fact]
    public void Bad_options_are_refused_naming_the_key()
    {
        var options = new VerificationOptions
        {
            DnsServers = ["127.0.0.1:5353", "[::1]:53", "not-an-ip"],
            SmtpPort = 0,
            TimeoutMs = 0,
            ProbeFrom = "nobody",
            CheckMx = false,
            SmtpProbe = true,
        };

        var errors = options.Validate().ToList();

        errors.Count.ShouldBe(5);
        errors[0].ShouldContain("Verification:DnsServers");
        errors[0].ShouldContain("not-an-ip");
        errors.ShouldContain(e => e.StartsWith("Tributary:Verification:SmtpPort", StringComparison.Ordinal));
        errors.ShouldContain(e => e.StartsWith("Tributary:Verification:TimeoutMs", StringComparison.Ordinal));
        errors.ShouldContain(e => e.StartsWith("Tributary:Verification:ProbeFrom", StringComparison.Ordinal));
        errors.ShouldContain(e => e.StartsWith("Tributary:Verification:SmtpProbe", StringComparison.Ordinal));
        Should.Throw<ArgumentException>(() => new EmailVerifier(options)).Message.ShouldContain("not-an-ip");
    }
}
