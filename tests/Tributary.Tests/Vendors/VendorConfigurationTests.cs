using Microsoft.Extensions.Configuration;
using Tributary.Core.Providers;
using Tributary.Server.Configuration;

namespace Tributary.Tests.Vendors;

/// <summary>Vendor provider entries are checked at start-up, each problem naming its key.</summary>
public sealed class VendorConfigurationTests
{
    private static List<string> Errors(Dictionary<string, ProviderDefinition> providers, Dictionary<string, List<string>>? waterfall = null,
        List<string>? verifiers = null) =>
        new EnrichmentConfiguration
        {
            Providers = new(providers, StringComparer.OrdinalIgnoreCase),
            Waterfall = waterfall ?? [],
            Verifiers = verifiers ?? [],
        }.Validate().ToList();

    [Fact]
    public void A_vendor_type_without_an_api_key_is_refused_naming_the_key_but_reacher_needs_none()
    {
        Errors(new() { ["x"] = new() { Type = "hunter" } }).ShouldBe(["Tributary:Providers:x:ApiKey is required for type hunter"]);
        Errors(new() { ["r"] = new() { Type = "reacher", BaseUrl = "http://127.0.0.1:8080" } }).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("https://api.hunter.io/v2")]
    [InlineData("ftp://api.hunter.io")]
    [InlineData("api.hunter.io")]
    [InlineData("https://api.hunter.io/?api_key=1")]
    public void A_base_url_with_more_than_scheme_host_and_port_is_refused(string baseUrl)
    {
        Errors(new() { ["h"] = new() { Type = "hunter", ApiKey = "k", BaseUrl = baseUrl } })
            .ShouldHaveSingleItem().ShouldStartWith("Tributary:Providers:h:BaseUrl must be an absolute http(s) URL of scheme, host and port only");
    }

    [Fact]
    public void A_channel_the_vendor_cannot_return_and_http_keys_on_a_vendor_are_refused()
    {
        var errors = Errors(new() { ["lm"] = new() { Type = "leadmagic", ApiKey = "k", Channels = ["phone"], Url = "http://x", Headers = new() { ["A"] = "b" } } });
        errors.ShouldContain(e => e.StartsWith("Tributary:Providers:lm:Channels has 'phone', which leadmagic cannot return"));
        errors.ShouldContain(e => e.StartsWith("Tributary:Providers:lm:Url is for type http"));
        errors.ShouldContain(e => e.StartsWith("Tributary:Providers:lm:Headers is for type http"));
    }

    [Fact]
    public void Verifiers_belong_in_the_verification_list_and_only_verifiers_do()
    {
        var providers = new Dictionary<string, ProviderDefinition>
        {
            ["zb"] = new() { Type = "zerobounce", ApiKey = "k" },
            ["pdl"] = new() { Type = "pdl", ApiKey = "k" },
            ["hunter"] = new() { Type = "hunter", ApiKey = "k" },
        };
        Errors(providers, new() { ["work_email"] = ["hunter", "zb"] }, ["hunter", "pdl", "missing"]).ShouldBe([
            "Tributary:Waterfall:work_email names 'zb', a zerobounce verifier: name it in Tributary:Verification:Providers",
            "Tributary:Verification:Providers names 'pdl' of type pdl, which cannot verify emails (verifier types: hunter, leadmagic, findymail, icypeas, zerobounce, neverbounce, millionverifier, reacher)",
            "Tributary:Verification:Providers names 'missing', which is not defined under Tributary:Providers",
        ]);
    }

    [Fact]
    public void The_optional_vendor_keys_are_read_and_checked()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Tributary:Providers:h:Type"] = "hunter",
            ["Tributary:Providers:h:ApiKey"] = "k",
            ["Tributary:Providers:h:RecheckMinutes"] = "0",
            ["Tributary:Providers:h:RatePerSecond"] = "10",
            ["Tributary:Providers:h:Cost:PerCall"] = "0",
            ["Tributary:Providers:h:Cost:PerFound:work_email"] = "1",
            ["Tributary:Providers:h:Cost:PerFound:fax"] = "1",
            ["Tributary:Providers:h:CreditPrice"] = "0.049",
            ["Tributary:Providers:h:FirstPollMs"] = "1000",
            ["Tributary:Providers:d:Type"] = "dropcontact",
            ["Tributary:Providers:d:ApiKey"] = "k",
            ["Tributary:Providers:d:FirstPollMs"] = "0",
            ["Tributary:Verification:CatchAll"] = "continue",
        }).Build();
        ConfigurationKeys.ThrowOnUnknown(config);
        var error = Should.Throw<Tributary.Core.ConfigurationException>(() =>
            ConfigurationSetup.Read<Tributary.Core.Providers.EnrichmentConfiguration>(config)).Message;
        error.ShouldContain("Tributary:Providers:h:RecheckMinutes must be from 1 to 10080");
        error.ShouldContain("Tributary:Providers:h:Cost:PerFound has an unknown channel 'fax'");
        error.ShouldContain("Tributary:Providers:h:FirstPollMs is only for types whose requests are read back later (dropcontact)");
        error.ShouldContain("Tributary:Providers:d:FirstPollMs must be from 1 to 600000");
    }

    [Fact]
    public void An_unknown_catch_all_policy_is_refused_naming_the_key()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Tributary:Verification:CatchAll"] = "maybe" }).Build();
        Should.Throw<Tributary.Core.ConfigurationException>(() => ConfigurationKeys.ThrowOnUnknown(config))
            .Message.ShouldBe("Tributary:Verification:CatchAll must be one of Continue, Accept, Reject, not 'maybe'");
        Should.Throw<Tributary.Core.ConfigurationException>(() => ConfigurationSetup.Read<Tributary.Core.Providers.EnrichmentConfiguration>(config))
            .Message.ShouldContain("Tributary:Verification:CatchAll");
    }
}
