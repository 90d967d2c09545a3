using System.Text.Json;
using Tributary.Core.Providers;
using Tributary.Core.Providers.Vendors;
using Tributary.Core.Providers.Verification;

namespace Tributary.Tests.Vendors;

/// <summary>
/// Each vendor type against a loopback fake answering as VENDORS.md documents: every documented answer ends as exactly
/// one outcome, and a failure is never read as a miss.
/// </summary>
public sealed class VendorAnswerTests(VendorFakes fakes) : IClassFixture<VendorFakes>
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { AllowAutoRedirect = false });

    private VendorContext Context(string type, string? key)
    {
        // Dropcontact is first read before the fake's request is ready: the answer is read past "not ready".
        var definition = new ProviderDefinition { Type = type, ApiKey = key, BaseUrl = fakes.BaseUrl, FirstPollMs = type == "dropcontact" ? 100 : null };
        var vendor = VendorCatalog.Find(type)!;
        return new VendorContext(type, definition, vendor, Http, TimeProvider.System);
    }

    private IEnrichmentProvider Finder(string type, string? key = VendorFakes.GoodKey) => VendorCatalog.Find(type)!.Finder!(Context(type, key));

    private IVendorVerifier Verifier(string type, string? key = VendorFakes.GoodKey) => VendorCatalog.Find(type)!.Verifier!(Context(type, key));

    public static ProviderQuery Person(string lastName, params string[] channels) => new(Guid.Empty,
        new Dictionary<string, JsonElement>
        {
            ["first_name"] = JsonSerializer.SerializeToElement("Ada"),
            ["last_name"] = JsonSerializer.SerializeToElement(lastName),
            ["company_domain"] = JsonSerializer.SerializeToElement(VendorFakes.Domain),
            ["domain"] = JsonSerializer.SerializeToElement(VendorFakes.Domain),
        },
        channels.Length == 0 ? ["work_email"] : channels);

    /// <summary>"found:&lt;status&gt;", "nomatch", or "failed:&lt;kind&gt;[:transient]".</summary>
    private static void ShouldBe(ProviderResult result, string expected, string lastName)
    {
        var parts = expected.Split(':');
        switch (parts[0])
        {
            case "found":
                var found = result.ShouldBeOfType<ProviderResult.Found>(result.ToString());
                var email = found.Values["work_email"];
                email.Value.GetString().ShouldBe(VendorFakes.EmailOf(lastName));
                EmailStatuses.Name(email.Status ?? EmailStatus.Unknown).ShouldBe(parts[1]);
                email.Confidence.ShouldBeInRange(0.5, 1);
                break;
            case "nomatch":
                result.ShouldBeOfType<ProviderResult.NoMatch>(result.ToString());
                break;
            default:
                ShouldBeFailed(result.ShouldBeOfType<ProviderResult.Failed>(result.ToString()), expected);
                break;
        }
    }

    /// <summary>"failed:&lt;kind&gt;[:transient]", with the reason a person reads in the trace for that kind.</summary>
    private static void ShouldBeFailed(ProviderResult.Failed failed, string expected)
    {
        var parts = expected.Split(':');
        failed.Kind.ToString().ShouldBe(parts[1], failed.Reason);
        failed.Transient.ShouldBe(parts.Length > 2 && parts[2] == "transient", failed.Reason);
        failed.Reason.ShouldStartWith(failed.Kind switch
        {
            FailureKind.BadKey => "bad key",
            FailureKind.OutOfCredits => "out of vendor credits",
            FailureKind.RateLimited => "rate limited by the vendor",
            _ => "vendor error",
        });
        failed.Reason.ShouldNotContain(VendorFakes.GoodKey);
    }

    [Theory]
    [InlineData("hunter", "found", "found:valid")]
    [InlineData("hunter", "catchall", "found:catch_all")]
    [InlineData("hunter", "nomatch", "nomatch")]
    [InlineData("hunter", "nomatch404", "nomatch")]
    [InlineData("hunter", "credits", "failed:OutOfCredits")]
    [InlineData("hunter", "ratelimit", "failed:RateLimited:transient")]
    [InlineData("hunter", "broken", "failed:Other:transient")]
    [InlineData("apollo", "found", "found:valid")]
    [InlineData("apollo", "guessed", "found:unknown")]
    [InlineData("apollo", "nomatch", "nomatch")]
    [InlineData("apollo", "noemail", "nomatch")]
    [InlineData("apollo", "credits", "failed:OutOfCredits")]
    [InlineData("apollo", "credits402", "failed:OutOfCredits")]
    [InlineData("apollo", "inaccessible", "failed:Other")]
    [InlineData("apollo", "ratelimit", "failed:RateLimited:transient")]
    [InlineData("apollo", "broken", "failed:Other:transient")]
    [InlineData("pdl", "found", "found:unknown")]
    [InlineData("pdl", "nomatch", "nomatch")]
    [InlineData("pdl", "freeplan", "nomatch")]
    [InlineData("pdl", "credits", "failed:OutOfCredits")]
    [InlineData("pdl", "ratelimit", "failed:RateLimited:transient")]
    [InlineData("pdl", "broken", "failed:Other:transient")]
    [InlineData("prospeo", "found", "found:valid")]
    [InlineData("prospeo", "catchall", "found:catch_all")]
    [InlineData("prospeo", "hidden", "nomatch")]
    [InlineData("prospeo", "nomatch", "nomatch")]
    [InlineData("prospeo", "nomatchold", "nomatch")]
    [InlineData("prospeo", "credits", "failed:OutOfCredits")]
    [InlineData("prospeo", "ratelimit", "failed:RateLimited:transient")]
    [InlineData("prospeo", "broken", "failed:Other:transient")]
    [InlineData("prospeo", "restricted", "failed:Other")]
    [InlineData("leadmagic", "found", "found:valid")]
    [InlineData("leadmagic", "catchall", "found:catch_all")]
    [InlineData("leadmagic", "probable", "found:probable")]
    [InlineData("leadmagic", "nomatch", "nomatch")]
    [InlineData("leadmagic", "credits", "failed:OutOfCredits")]
    [InlineData("leadmagic", "ratelimit", "failed:RateLimited:transient")]
    [InlineData("leadmagic", "broken", "failed:Other:transient")]
    [InlineData("findymail", "found", "found:unknown")]
    [InlineData("findymail", "nomatch", "nomatch")]
    [InlineData("findymail", "nomatch404", "nomatch")]
    [InlineData("findymail", "credits", "failed:OutOfCredits")]
    [InlineData("findymail", "err200", "failed:Other")]
    [InlineData("findymail", "ratelimit", "failed:RateLimited:transient")]
    [InlineData("findymail", "broken", "failed:Other:transient")]
    [InlineData("icypeas", "found", "found:valid")]
    [InlineData("icypeas", "probable", "found:probable")]
    [InlineData("icypeas", "nomatch", "nomatch")]
    [InlineData("icypeas", "credits", "failed:OutOfCredits")]
    [InlineData("icypeas", "badinput", "failed:Other")]
    [InlineData("icypeas", "ratelimit", "failed:RateLimited:transient")]
    [InlineData("icypeas", "broken", "failed:Other:transient")]
    [InlineData("icypeas", "aborted", "failed:Other")]
    [InlineData("dropcontact", "found", "found:valid")]
    [InlineData("dropcontact", "catchall", "found:catch_all")]
    [InlineData("dropcontact", "nomatch", "nomatch")]
    [InlineData("dropcontact", "err200", "failed:Other")]
    [InlineData("dropcontact", "credits", "failed:OutOfCredits")]
    [InlineData("dropcontact", "ratelimit", "failed:RateLimited:transient")]
    public async Task A_finder_answer_maps_to_its_documented_outcome(string type, string scenario, string expected)
    {
        var result = await Finder(type).LookupAsync(Person(scenario), CancellationToken.None);
        ShouldBe(result, expected, scenario);
        if (result is not ProviderResult.Failed) return;
        // A finder keeps no failure: the next lookup asks the vendor again (whether to is the waterfall's call, by health).
        var before = fakes.Count(type);
        await Finder(type).LookupAsync(Person(scenario), CancellationToken.None);
        fakes.Count(type).ShouldBeGreaterThan(before);
    }

    [Theory]
    [InlineData("hunter")]
    [InlineData("apollo")]
    [InlineData("pdl")]
    [InlineData("prospeo")]
    [InlineData("leadmagic")]
    [InlineData("findymail")]
    [InlineData("icypeas")]
    [InlineData("dropcontact")]
    public async Task A_refused_key_is_a_bad_key_failure_not_a_miss(string type)
    {
        var before = fakes.Count(type);
        var result = await Finder(type, key: "bad-key").LookupAsync(Person("found"), CancellationToken.None);
        ShouldBe(result, "failed:BadKey", "found");
        ((ProviderResult.Failed)result).Reason.ShouldStartWith("bad key");
        // Permanent: not retried.
        fakes.Count(type).ShouldBe(before + 1);
    }

    [Theory]
    [InlineData("icypeas", false)]
    [InlineData("dropcontact", false)]
    [InlineData("findymail", false)]
    [InlineData("prospeo", false)]
    [InlineData("icypeas", true)]
    [InlineData("findymail", true)]
    [InlineData("reacher", true)]
    public async Task A_key_refused_in_the_other_form_VENDORS_md_leaves_open_is_a_bad_key_too(string type, bool verifier)
    {
        var before = fakes.Count(type);
        var failed = verifier
            ? (await Verifier(type, key: VendorFakes.OtherBadKey).VerifyAsync(VendorFakes.EmailOf("valid"), CancellationToken.None))
                .ShouldBeOfType<VerifierAnswer.Failed>().Failure
            : (await Finder(type, key: VendorFakes.OtherBadKey).LookupAsync(Person("found"), CancellationToken.None)).ShouldBeOfType<ProviderResult.Failed>();
        ShouldBeFailed(failed, "failed:BadKey");
        failed.Reason.ShouldNotContain(VendorFakes.OtherBadKey);
        fakes.Count(type).ShouldBe(before + 1);
    }

    [Fact]
    public async Task Hunter_rate_limit_403_is_retried_and_its_usage_limit_429_is_not()
    {
        var before = fakes.Count("hunter");
        (await Finder("hunter").LookupAsync(Person("ratelimit"), CancellationToken.None)).ShouldBeOfType<ProviderResult.Failed>();
        fakes.Count("hunter").ShouldBe(before + 3);
        (await Finder("hunter").LookupAsync(Person("credits"), CancellationToken.None)).ShouldBeOfType<ProviderResult.Failed>();
        fakes.Count("hunter").ShouldBe(before + 4);
    }

    [Fact]
    public async Task Pdl_returns_every_channel_asked_with_likelihood_as_confidence_and_free_plan_booleans_are_no_value()
    {
        var found = (await Finder("pdl").LookupAsync(Person("found", "work_email", "phone", "linkedin_url", "job_title", "location"), CancellationToken.None))
            .ShouldBeOfType<ProviderResult.Found>();
        found.Values["work_email"].Confidence.ShouldBe(0.8);
        found.Values["phone"].Value.GetString().ShouldBe("+14155550123");
        found.Values["linkedin_url"].Value.GetString().ShouldBe("https://www.linkedin.com/in/ada-found");
        found.Values["job_title"].Value.GetString().ShouldBe("chief technology officer");
        found.Values.Keys.ShouldBe(["work_email", "phone", "linkedin_url", "job_title", "location"], ignoreOrder: true);

        var free = (await Finder("pdl").LookupAsync(Person("freeplan", "work_email", "phone", "job_title"), CancellationToken.None))
            .ShouldBeOfType<ProviderResult.Found>();
        free.Values.Keys.ShouldBe(["job_title"]);
    }

    [Fact]
    public async Task Hunter_score_is_the_confidence_and_its_other_fields_are_channels()
    {
        var found = (await Finder("hunter").LookupAsync(Person("found", "work_email", "job_title", "x_handle"), CancellationToken.None))
            .ShouldBeOfType<ProviderResult.Found>();
        found.Values["work_email"].Confidence.ShouldBe(0.97);
        found.Values["job_title"].Value.GetString().ShouldBe("CTO");
        found.Values["x_handle"].Value.GetString().ShouldBe("ada_codes");
    }

    [Fact]
    public async Task Prospeo_asks_for_a_mobile_only_when_a_phone_is_wanted()
    {
        await Finder("prospeo").LookupAsync(Person("found"), CancellationToken.None);
        fakes.Last("prospeo").B("enrich_mobile").ShouldBe("false");
        var found = (await Finder("prospeo").LookupAsync(Person("found", "work_email", "phone"), CancellationToken.None)).ShouldBeOfType<ProviderResult.Found>();
        fakes.Last("prospeo").B("enrich_mobile").ShouldBe("true");
        found.Values["phone"].Value.GetString().ShouldBe("+14155550123");
    }

    [Theory]
    [InlineData("hunter", "valid", "verdict:valid")]
    [InlineData("hunter", "catchall", "verdict:catch_all")]
    [InlineData("hunter", "invalid", "verdict:invalid")]
    [InlineData("hunter", "webmail", "verdict:unknown")]
    [InlineData("hunter", "smtpfail", "verdict:unknown")]
    [InlineData("hunter", "pending", "verdict:valid")]
    [InlineData("leadmagic", "valid", "verdict:valid")]
    [InlineData("leadmagic", "catchall", "verdict:catch_all")]
    [InlineData("leadmagic", "probable", "verdict:probable")]
    [InlineData("leadmagic", "invalid", "verdict:invalid")]
    [InlineData("leadmagic", "unknown", "verdict:unknown")]
    [InlineData("leadmagic", "credits", "failed:OutOfCredits")]
    [InlineData("findymail", "valid", "verdict:valid")]
    [InlineData("findymail", "invalid", "verdict:invalid")]
    [InlineData("findymail", "credits", "failed:OutOfCredits")]
    [InlineData("icypeas", "valid", "verdict:valid")]
    [InlineData("icypeas", "probable", "verdict:probable")]
    [InlineData("icypeas", "invalid", "verdict:invalid")]
    [InlineData("icypeas", "nomatch", "verdict:unknown")]
    [InlineData("zerobounce", "valid", "verdict:valid")]
    [InlineData("zerobounce", "catchall", "verdict:catch_all")]
    [InlineData("zerobounce", "invalid", "verdict:invalid")]
    [InlineData("zerobounce", "unknown", "verdict:unknown")]
    [InlineData("zerobounce", "disposable", "verdict:invalid")]
    [InlineData("zerobounce", "spamtrap", "verdict:risky")]
    [InlineData("neverbounce", "valid", "verdict:valid")]
    [InlineData("neverbounce", "catchall", "verdict:catch_all")]
    [InlineData("neverbounce", "invalid", "verdict:invalid")]
    [InlineData("neverbounce", "disposable", "verdict:invalid")]
    [InlineData("neverbounce", "unknown", "verdict:unknown")]
    [InlineData("neverbounce", "ratelimit", "failed:RateLimited:transient")]
    [InlineData("neverbounce", "tempunavail", "failed:Other:transient")]
    [InlineData("neverbounce", "generalfailure", "failed:Other")]
    [InlineData("neverbounce", "badreferrer", "failed:Other")]
    [InlineData("zerobounce", "ratelimit", "failed:RateLimited:transient")]
    [InlineData("reacher", "ratelimit", "failed:RateLimited:transient")]
    [InlineData("millionverifier", "valid", "verdict:valid")]
    [InlineData("millionverifier", "catchall", "verdict:catch_all")]
    [InlineData("millionverifier", "unknown", "verdict:unknown")]
    [InlineData("millionverifier", "invalid", "verdict:invalid")]
    [InlineData("millionverifier", "role", "verdict:risky")]
    [InlineData("millionverifier", "credits", "failed:OutOfCredits")]
    [InlineData("reacher", "valid", "verdict:valid")]
    [InlineData("reacher", "catchall", "verdict:catch_all")]
    [InlineData("reacher", "risky", "verdict:risky")]
    [InlineData("reacher", "invalid", "verdict:invalid")]
    [InlineData("reacher", "unknown", "verdict:unknown")]
    public async Task A_verifier_answer_maps_to_its_documented_verdict(string type, string scenario, string expected)
    {
        var answer = await Verifier(type).VerifyAsync(VendorFakes.EmailOf(scenario), CancellationToken.None);
        var parts = expected.Split(':');
        if (parts[0] == "verdict")
        {
            EmailStatuses.Name(answer.ShouldBeOfType<VerifierAnswer.Verdict>(answer.ToString()).Status).ShouldBe(parts[1]);
            return;
        }
        ShouldBeFailed(answer.ShouldBeOfType<VerifierAnswer.Failed>(answer.ToString()).Failure, expected);
        var before = fakes.Count(type);
        await Verifier(type).VerifyAsync(VendorFakes.EmailOf(scenario), CancellationToken.None);
        fakes.Count(type).ShouldBeGreaterThan(before);
    }

    [Theory]
    [InlineData("hunter")]
    [InlineData("leadmagic")]
    [InlineData("findymail")]
    [InlineData("icypeas")]
    [InlineData("zerobounce")]
    [InlineData("neverbounce")]
    [InlineData("millionverifier")]
    [InlineData("reacher")]
    public async Task A_verifier_that_refuses_its_key_fails_and_never_gives_a_verdict(string type)
    {
        var answer = await Verifier(type, key: "bad-secret-31").VerifyAsync(VendorFakes.EmailOf("valid"), CancellationToken.None);
        var failed = answer.ShouldBeOfType<VerifierAnswer.Failed>(answer.ToString()).Failure;
        failed.Kind.ShouldBe(FailureKind.BadKey, failed.Reason);
        failed.Transient.ShouldBeFalse();
        // NeverBounce repeats the key in its error message: the reason must not.
        failed.Reason.ShouldNotContain("bad-secret-31");
    }

    [Fact]
    public async Task Hunter_verifier_asks_again_while_the_vendor_answers_202()
    {
        var email = VendorFakes.EmailOf("pending").Replace("ada.", "ada.once.");
        var before = fakes.Count("hunter", "/v2/email-verifier");
        var answer = await Verifier("hunter").VerifyAsync(email, CancellationToken.None);
        answer.ShouldBeOfType<VerifierAnswer.Verdict>().Status.ShouldBe(EmailStatus.Valid);
        fakes.Count("hunter", "/v2/email-verifier").ShouldBe(before + 2);
    }
}
